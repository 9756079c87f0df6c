"""Account forms: they check shape; services check rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..core.widgets import FastSelect
from ..partners.models import country_choices, is_country_code
from .passwords import MAX_LENGTH, MIN_LENGTH

COUNTRY_MESSAGE = "Choose the country where your company is registered."


def valid_country(form, field) -> None:
    if field.data and not is_country_code(field.data):
        raise ValidationError(COUNTRY_MESSAGE)


PASSWORD_HELP = f"At least {MIN_LENGTH} characters. A few unrelated words work well."


def email_field(label: str = "Email address", **kwargs) -> EmailField:
    return EmailField(
        label,
        validators=[DataRequired(), Email(message="Enter a valid email address."), Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
        **kwargs,
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            "Password",
            validators=[
                DataRequired(),
                Length(
                    min=MIN_LENGTH,
                    max=MAX_LENGTH,
                    message=f"Use between {MIN_LENGTH} and {MAX_LENGTH} characters. "
                    "A few unrelated words make a good password.",
                ),
            ],
            description=PASSWORD_HELP,
            render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
        ),
        PasswordField(
            "Repeat the password",
            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class SignupForm(FlaskForm):
    legal_name = StringField(
        "Company legal name",
        validators=[DataRequired(), Length(max=200)],
        description="As registered, for example “Acme Robotics GmbH”.",
        render_kw={"autocomplete": "organization"},
    )
    country = SelectField(
        "Country of registration",
        validators=[DataRequired(message=COUNTRY_MESSAGE), valid_country],
        validate_choice=False,
        widget=FastSelect(),
    )
    full_name = StringField(
        "Your full name", validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    job_title = StringField(
        "Job title", validators=[Length(max=120)], render_kw={"autocomplete": "organization-title"}
    )
    email = email_field("Work email address")
    password, confirm = new_password_fields()
    accept = BooleanField(
        "I agree that the TTO stores these details to manage the partnership.",
        validators=[DataRequired(message="Please agree so that we can create your account.")],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": "Choose a country…", **dict(country_choices())}


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")


class TwoFactorForm(FlaskForm):
    code = StringField(
        "Authentication code",
        validators=[DataRequired(), Length(max=20)],
        description="The 6-digit code from your authenticator app, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        "Code from your app",
        validators=[DataRequired(), Length(max=10)],
        description="Enter the 6-digit code your authenticator app shows for Liaison.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ResetRequestForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    password, confirm = new_password_fields()


class ChangeEmailForm(FlaskForm):
    email = email_field("New email address")
    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class AcceptInvitationForm(FlaskForm):
    full_name = StringField(
        "Your full name", validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    job_title = StringField("Job title", validators=[Length(max=120)])
    password, confirm = new_password_fields()
    accept = BooleanField(
        "I agree that the TTO stores these details to manage the partnership.",
        validators=[DataRequired(message="Please agree so that we can create your account.")],
    )


class ConfirmForm(FlaskForm):
    """An empty form: a POST with a CSRF token (logout, deactivate, revoke...)."""
