"""Membership forms: the application, tiers (staff), decisions, payments and bank statements (staff)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
)

from ..core.forms import AmountField, BoundedIntegerField, DayField, Limit
from .models import HEARD_FROM, CatalogAccess


def finite_amount(form, field) -> None:
    """Infinity and NaN parse as decimals; no bank sends them."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Enter an amount in euros, like 12500.00."))


def more_than_zero(form, field) -> None:
    if field.data is not None and field.data <= 0:
        raise StopValidation(_l("The amount must be more than zero."))


class ApplicationForm(FlaskForm):
    tier = SelectField(
        _l("Membership tier"), validators=[DataRequired(message=_l("Choose a tier."))], validate_choice=False
    )
    registration_number = StringField(
        _l("Company registration number"),
        validators=[Limit(64)],
        description=_l("As in the trade or companies register; printed on the partnership agreement."),
    )
    address_line1 = StringField(
        _l("Registered address"),
        validators=[DataRequired(message=_l("Enter the street address.")), Limit(200)],
    )
    address_line2 = StringField(_l("Address line 2"), validators=[Limit(200)])
    postcode = StringField(_l("Postcode"), validators=[Limit(20)])
    city = StringField(_l("City"), validators=[DataRequired(message=_l("Enter the city.")), Limit(100)])
    signatory_name = StringField(
        _l("Legal signatory: full name"),
        validators=[DataRequired(), Limit(120)],
        description=_l("The person who will sign the partnership agreement for your company."),
    )
    signatory_title = StringField(_l("Legal signatory: title"), validators=[DataRequired(), Limit(120)])
    billing_name = StringField(_l("Billing contact"), validators=[DataRequired(), Limit(120)])
    billing_email = EmailField(
        _l("Billing email"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")), Limit(254)],
        description=_l("Invoices are sent here."),
    )
    billing_address = TextAreaField(
        _l("Billing address, if not the registered address"),
        validators=[Limit(500)],
        description=_l("As it must appear on the invoice. Leave it empty to use the registered address."),
        render_kw={"rows": 3},
    )
    vat_number = StringField(
        _l("VAT number"),
        validators=[Limit(32)],
        description=_l(
            "Required for companies in the EU, with the country prefix (for example DE123456789)."
        ),
    )
    interests = TextAreaField(
        _l("What would you like to work on with us?"),
        validators=[Limit(2000)],
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
        _l("How will you pay?"),
        # SelectChoice, as for heard_from: lazy labels
        choices=[
            SelectChoice("invoice", _l("By invoice (bank transfer)")),
            SelectChoice("card", _l("By card")),
        ],
        validators=[Optional()],
        default="invoice",
        description=_l("Card payment (Stripe) is offered for some tiers; you pay after approval."),
    )


class TierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Limit(80)])
    slug = StringField(
        _l("Slug"), validators=[DataRequired(), Limit(80)], description=_l("Used in links: /tiers#slug")
    )
    annual_fee = AmountField(
        _l("Annual fee (EUR)"),
        places=2,
        validators=[
            finite_amount,
            DataRequired(),
            NumberRange(min=0, max=10_000_000, message=_l("Enter a fee in euros.")),
        ],
    )
    description = TextAreaField(_l("Description"), validators=[Limit(2000)], render_kw={"rows": 3})
    benefits = TextAreaField(
        _l("Benefits"), validators=[Limit(4000)], description=_l("One per line."), render_kw={"rows": 6}
    )
    description_fr = TextAreaField(
        _l("Description in French"),
        validators=[Limit(2000)],
        render_kw={"rows": 2},
        description=_l("Empty: French readers see the English text."),
    )
    benefits_fr = TextAreaField(_l("Benefits in French"), validators=[Limit(4000)], render_kw={"rows": 4})
    description_de = TextAreaField(
        _l("Description in German"),
        validators=[Limit(2000)],
        render_kw={"rows": 2},
        description=_l("Empty: German readers see the English text."),
    )
    benefits_de = TextAreaField(_l("Benefits in German"), validators=[Limit(4000)], render_kw={"rows": 4})
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
        _l("Stripe price id"), validators=[Limit(120)], description=_l("Optional: enables card payment.")
    )
    display_order = BoundedIntegerField(_l("Display order"), validators=[Optional()])
    active = BooleanField(_l("Offered to new applicants"))


class ApproveForm(FlaskForm):
    account_owner = SelectField(
        _l("Account owner"), validators=[DataRequired(message=_l("Choose an officer."))]
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Limit(2000)], description=_l("Sent to the applicant.")
    )


class MoreInfoForm(FlaskForm):
    message = TextAreaField(
        _l("What do you need?"),
        validators=[DataRequired(), Limit(2000)],
        description=_l("Sent to the applicant."),
    )


class PaymentForm(FlaskForm):
    amount = AmountField(
        _l("Amount received"),
        places=2,
        validators=[
            finite_amount,
            InputRequired(message=_l("Enter the amount received, more than zero.")),
            more_than_zero,
            NumberRange(min=0.01, max=100_000_000, message=_l("Enter an amount in euros, like 12500.00.")),
        ],
    )
    received_on = DayField(_l("Received on"), validators=[DataRequired()], default=date.today)
    reference = StringField(_l("Bank reference"), validators=[Limit(120)])


class RevokeApprovalForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Limit(2000)],
        description=_l("Sent to the applicant; the application returns to the queue."),
    )


class DeniedPartyForm(FlaskForm):
    name = StringField(
        _l("Company name"),
        validators=[Limit(200)],
        description=_l("Matched without case, accents or punctuation, as whole words."),
    )
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False)
    number = StringField(
        _l("Registration or VAT number"),
        validators=[Limit(64)],
        description=_l("Letters and digits are compared."),
    )
    note = StringField(
        _l("Note"), validators=[Limit(500)], description=_l("Source of the listing, for example.")
    )


class ApprovalRuleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Limit(120)])
    tier = SelectField(
        _l("Tier"), validators=[DataRequired(message=_l("Choose a tier."))], validate_choice=False
    )
    require_not_denied = BooleanField(_l("Not on the denied-parties list"), default=True)
    require_tax_number = BooleanField(_l("Has a valid VAT or registration number"), default=True)
    require_card = BooleanField(_l("Pays by card"), default=True)
    account_owner = SelectField(
        _l("Account owner"),
        validators=[DataRequired(message=_l("Choose an officer."))],
        validate_choice=False,
        description=_l("The officer who looks after partners this rule approves."),
    )
    active = BooleanField(_l("Active"), default=True)


class StatementUploadForm(FlaskForm):
    file = FileField(
        _l("Statement file"),
        validators=[FileRequired(_l("Choose a statement file: camt.053 (XML) or CSV."))],
        description=_l(
            "ISO 20022 camt.053 from the bank, or a CSV with the columns date, amount, currency, "
            "reference, payer, bank_reference (comma or semicolon separated)."
        ),
    )


class AssignLineForm(FlaskForm):
    invoice = StringField(
        _l("Invoice number or transfer reference"),
        validators=[DataRequired(_l("Enter the invoice the money is for.")), Limit(60)],
        description=_l(
            "For example INV-2026-0001. The line's money goes to its balance; any rest stays here."
        ),
    )
    note = TextAreaField(_l("Note"), validators=[Limit(2000)], render_kw={"rows": 2})


class DismissLineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason: it stays on the record.")), Limit(2000)],
        description=_l("For example: refunded to the payer on 3 April; not a membership payment."),
        render_kw={"rows": 2},
    )
