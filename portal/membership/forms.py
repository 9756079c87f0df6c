"""Membership forms: the application, tiers (staff), decisions, payments and bank statements (staff)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, StopValidation

from ..core.forms import BoundedIntegerField
from .models import CatalogAccess

HEARD_FROM = {
    "": _l("Choose one…"),
    "researcher": _l("A researcher of the institute"),
    "event": _l("An event or conference"),
    "colleague": _l("A colleague or partner company"),
    "web": _l("Search engine or website"),
    "tto": _l("The Technology Transfer Office contacted us"),
    "other": _l("Other"),
}


def finite_amount(form, field) -> None:
    """Infinity and NaN parse as decimals; no bank sends them."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Enter an amount in euros, like 12500.00."))


class ApplicationForm(FlaskForm):
    tier = SelectField(
        _l("Membership tier"), validators=[DataRequired(message=_l("Choose a tier."))], validate_choice=False
    )
    signatory_name = StringField(
        _l("Legal signatory: full name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("The person who will sign the partnership agreement for your company."),
    )
    signatory_title = StringField(_l("Legal signatory: title"), validators=[DataRequired(), Length(max=120)])
    billing_name = StringField(_l("Billing contact"), validators=[DataRequired(), Length(max=120)])
    billing_email = EmailField(
        _l("Billing email"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
        description=_l("Invoices are sent here."),
    )
    billing_address = TextAreaField(
        _l("Billing address"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("As it must appear on the invoice, including postcode and city."),
        render_kw={"rows": 3},
    )
    vat_number = StringField(
        _l("VAT number"),
        validators=[Length(max=32)],
        description=_l(
            "Required for companies in the EU, with the country prefix (for example DE123456789)."
        ),
    )
    interests = TextAreaField(
        _l("What would you like to work on with us?"),
        validators=[Length(max=2000)],
        description=_l("Research areas, technologies or challenges. It helps us introduce the right people."),
        render_kw={"rows": 4},
    )
    heard_from = SelectField(
        _l("How did you hear of the programme?"),
        # SelectChoice: WTForms takes a dict only when its labels are plain str, and these are lazy
        choices=[SelectChoice(value, label) for value, label in HEARD_FROM.items()],
        validators=[Optional()],
    )
    payment_method = SelectField(
        "How will you pay?",
        choices={"invoice": "By invoice (bank transfer)", "card": "By card"},
        validators=[Optional()],
        default="invoice",
        description="Card payment (Stripe) is offered for some tiers; you pay after approval.",
    )


class TierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    slug = StringField(
        _l("Slug"), validators=[DataRequired(), Length(max=80)], description=_l("Used in links: /tiers#slug")
    )
    annual_fee = DecimalField(
        _l("Annual fee (EUR)"),
        places=2,
        validators=[
            finite_amount,
            DataRequired(),
            NumberRange(min=0, max=10_000_000, message=_l("Enter a fee in euros.")),
        ],
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)], render_kw={"rows": 3})
    benefits = TextAreaField(
        _l("Benefits"), validators=[Length(max=4000)], description=_l("One per line."), render_kw={"rows": 6}
    )
    seat_limit = BoundedIntegerField(
        _l("Seat limit"), validators=[Optional(), NumberRange(min=1)], description=_l("Empty for unlimited.")
    )
    challenge_limit = BoundedIntegerField(
        _l("Open challenges"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Empty for unlimited."),
    )
    catalog_access = SelectField(
        _l("Catalog access"), choices={c.value: c.label for c in CatalogAccess}, validators=[DataRequired()]
    )
    first_look_days = BoundedIntegerField(
        _l("First look (days)"),
        validators=[Optional(), NumberRange(min=0, max=365)],
        description=_l("Days this tier sees new technologies before others."),
    )
    stripe_price_id = StringField(
        _l("Stripe price id"), validators=[Length(max=120)], description=_l("Optional: enables card payment.")
    )
    display_order = BoundedIntegerField(_l("Display order"), validators=[Optional()])
    active = BooleanField(_l("Offered to new applicants"))


class ApproveForm(FlaskForm):
    account_owner = SelectField(
        _l("Account owner"), validators=[DataRequired(message=_l("Choose an officer."))]
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=2000)], description=_l("Sent to the applicant.")
    )


class MoreInfoForm(FlaskForm):
    message = TextAreaField(
        _l("What do you need?"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Sent to the applicant."),
    )


class PaymentForm(FlaskForm):
    amount = DecimalField(
        _l("Amount received"),
        places=2,
        validators=[
            finite_amount,
            DataRequired(),
            NumberRange(min=0.01, max=100_000_000, message=_l("Enter an amount in euros, like 12500.00.")),
        ],
    )
    received_on = DateField(_l("Received on"), validators=[DataRequired()], default=date.today)
    reference = StringField(_l("Bank reference"), validators=[Length(max=120)])


class RevokeApprovalForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired(), Length(max=2000)],
        description="Sent to the applicant; the application returns to the queue.",
    )


class DeniedPartyForm(FlaskForm):
    name = StringField(
        "Company name",
        validators=[Length(max=200)],
        description="Matched without case, accents or punctuation, as whole words.",
    )
    country = SelectField("Country", validators=[Optional()], validate_choice=False)
    number = StringField(
        "Registration or VAT number",
        validators=[Length(max=64)],
        description="Letters and digits are compared.",
    )
    note = StringField(
        "Note", validators=[Length(max=500)], description="Source of the listing, for example."
    )


class ApprovalRuleForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    tier = SelectField("Tier", validators=[DataRequired(message="Choose a tier.")], validate_choice=False)
    require_not_denied = BooleanField("Not on the denied-parties list", default=True)
    require_tax_number = BooleanField("Has a valid VAT or registration number", default=True)
    require_card = BooleanField("Pays by card", default=True)
    account_owner = SelectField(
        "Account owner",
        validators=[DataRequired(message="Choose an officer.")],
        validate_choice=False,
        description="The officer who looks after partners this rule approves.",
    )
    active = BooleanField("Active", default=True)


class StatementUploadForm(FlaskForm):
    file = FileField(
        "Statement file",
        validators=[FileRequired("Choose a statement file: camt.053 (XML) or CSV.")],
        description="ISO 20022 camt.053 from the bank, or a CSV with the columns date, amount, currency, "
        "reference, payer, bank_reference (comma or semicolon separated).",
    )


class AssignLineForm(FlaskForm):
    invoice = StringField(
        "Invoice number or transfer reference",
        validators=[DataRequired("Enter the invoice the money is for."), Length(max=60)],
        description="For example INV-2026-0001. The line's money goes to its balance; any rest stays here.",
    )
    note = TextAreaField("Note", validators=[Length(max=2000)], render_kw={"rows": 2})


class DismissLineForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Give the reason: it stays on the record."), Length(max=2000)],
        description="For example: refunded to the payer on 3 April; not a membership payment.",
        render_kw={"rows": 2},
    )
