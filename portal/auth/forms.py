"""Account forms: they check shape; services check rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..core.forms import Limit
from .passwords import MAX_LENGTH, MIN_LENGTH

PASSWORD_HELP = _l("At least %(count)s characters. A few unrelated words work well.", count=MIN_LENGTH)


def stripped(value):
    """Spaces around a pasted address are not part of it (issue 10, point 12)."""
    return value.strip() if isinstance(value, str) else value


def email_field(label: str | None = None, **kwargs) -> EmailField:
    return EmailField(
        label or _l("Email address"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")), Limit(254)],
        filters=[stripped],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
        **kwargs,
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Password"),
            validators=[
                DataRequired(),
                Length(
                    min=MIN_LENGTH,
                    max=MAX_LENGTH,
                    message=_l(
                        "Use between %(min)s and %(max)s characters. "
                        "A few unrelated words make a good password.",
                        min=MIN_LENGTH,
                        max=MAX_LENGTH,
                    ),
                ),
            ],
            description=PASSWORD_HELP,
            render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
        ),
        PasswordField(
            _l("Repeat the password"),
            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    # Shown only while the account is locked after failed attempts (auth/throttle.py).
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[Optional(), Limit(32, counter=False)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("Authentication code"),
        validators=[DataRequired(), Limit(20, counter=False)],
        description=_l("The 6-digit code from your authenticator app, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        _l("Code from your app"),
        validators=[DataRequired(), Limit(10, counter=False)],
        description=_l("Enter the 6-digit code your authenticator app shows for Liaison."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ResetRequestForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    password, confirm = new_password_fields()


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("New email address"))
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class PreferencesForm(FlaskForm):
    """The reader's language and time zone: pages, emails and PDFs follow them."""

    language = SelectField(_l("Language"), choices=[], validators=[DataRequired()])
    time_zone = SelectField(
        _l("Time zone"),
        choices=[],
        validators=[DataRequired()],
        validate_choice=True,
        description=_l("Dates and times are shown in this time zone; hover one to see it in UTC."),
    )

    def __init__(self, *args, **kwargs) -> None:
        from ..core.i18n import LANGUAGES, time_zone_choices

        super().__init__(*args, **kwargs)
        self.language.choices = list(LANGUAGES.items())
        self.time_zone.choices = time_zone_choices()
