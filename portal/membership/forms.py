"""Membership forms: the application, tiers (staff), decisions, payments and bank statements (staff)."""

from __future__ import annotations

from datetime import date

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
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, StopValidation

from ..core.forms import BoundedIntegerField
from .models import CatalogAccess

HEARD_FROM = {
    "": "Choose one…",
    "researcher": "A researcher of the institute",
    "event": "An event or conference",
    "colleague": "A colleague or partner company",
    "web": "Search engine or website",
    "tto": "The Technology Transfer Office contacted us",
    "other": "Other",
}


def finite_amount(form, field) -> None:
    """Infinity and NaN parse as decimals; no bank sends them."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation("Enter an amount in euros, like 12500.00.")


class ApplicationForm(FlaskForm):
    tier = SelectField(
        "Membership tier", validators=[DataRequired(message="Choose a tier.")], validate_choice=False
    )
    signatory_name = StringField(
        "Legal signatory: full name",
        validators=[DataRequired(), Length(max=120)],
        description="The person who will sign the partnership agreement for your company.",
    )
    signatory_title = StringField("Legal signatory: title", validators=[DataRequired(), Length(max=120)])
    billing_name = StringField("Billing contact", validators=[DataRequired(), Length(max=120)])
    billing_email = EmailField(
        "Billing email",
        validators=[DataRequired(), Email(message="Enter a valid email address."), Length(max=254)],
        description="Invoices are sent here.",
    )
    billing_address = TextAreaField(
        "Billing address",
        validators=[DataRequired(), Length(max=500)],
        description="As it must appear on the invoice, including postcode and city.",
        render_kw={"rows": 3},
    )
    vat_number = StringField(
        "VAT number",
        validators=[Length(max=32)],
        description="Required for companies in the EU, with the country prefix (for example DE123456789).",
    )
    interests = TextAreaField(
        "What would you like to work on with us?",
        validators=[Length(max=2000)],
        description="Research areas, technologies or challenges. It helps us introduce the right people.",
        render_kw={"rows": 4},
    )
    heard_from = SelectField(
        "How did you hear of the programme?", choices=HEARD_FROM, validators=[Optional()]
    )
    payment_method = SelectField(
        "How will you pay?",
        choices={"invoice": "By invoice (bank transfer)", "card": "By card"},
        validators=[Optional()],
        default="invoice",
        description="Card payment (Stripe) is offered for some tiers; you pay after approval.",
    )


class TierForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    slug = StringField(
        "Slug", validators=[DataRequired(), Length(max=80)], description="Used in links: /tiers#slug"
    )
    annual_fee = DecimalField(
        "Annual fee (EUR)",
        places=2,
        validators=[
            finite_amount,
            DataRequired(),
            NumberRange(min=0, max=10_000_000, message="Enter a fee in euros."),
        ],
    )
    description = TextAreaField("Description", validators=[Length(max=2000)], render_kw={"rows": 3})
    benefits = TextAreaField(
        "Benefits", validators=[Length(max=4000)], description="One per line.", render_kw={"rows": 6}
    )
    seat_limit = BoundedIntegerField(
        "Seat limit", validators=[Optional(), NumberRange(min=1)], description="Empty for unlimited."
    )
    challenge_limit = BoundedIntegerField(
        "Open challenges", validators=[Optional(), NumberRange(min=0)], description="Empty for unlimited."
    )
    catalog_access = SelectField(
        "Catalog access", choices={c.value: c.label for c in CatalogAccess}, validators=[DataRequired()]
    )
    first_look_days = BoundedIntegerField(
        "First look (days)",
        validators=[Optional(), NumberRange(min=0, max=365)],
        description="Days this tier sees new technologies before others.",
    )
    stripe_price_id = StringField(
        "Stripe price id", validators=[Length(max=120)], description="Optional: enables card payment."
    )
    display_order = BoundedIntegerField("Display order", validators=[Optional()])
    active = BooleanField("Offered to new applicants")


class ApproveForm(FlaskForm):
    account_owner = SelectField("Account owner", validators=[DataRequired(message="Choose an officer.")])


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason", validators=[DataRequired(), Length(max=2000)], description="Sent to the applicant."
    )


class MoreInfoForm(FlaskForm):
    message = TextAreaField(
        "What do you need?",
        validators=[DataRequired(), Length(max=2000)],
        description="Sent to the applicant.",
    )


class PaymentForm(FlaskForm):
    amount = DecimalField(
        "Amount received",
        places=2,
        validators=[
            finite_amount,
            DataRequired(),
            NumberRange(min=0.01, max=100_000_000, message="Enter an amount in euros, like 12500.00."),
        ],
    )
    received_on = DateField("Received on", validators=[DataRequired()], default=date.today)
    reference = StringField("Bank reference", validators=[Length(max=120)])


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
