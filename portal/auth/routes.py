"""Account pages: sign-up, login (with second factor), logout, reset, account settings, invitations."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_timezone, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..core import audit
from ..core.errors import DomainError
from ..core.forms import ConfirmForm, apply_domain_error
from ..core.i18n import SESSIONLESS_ENDPOINTS, current_language, language_or_none
from ..core.permissions import login_redirect, safe_next
from ..extensions import db, limiter, login_manager
from . import services, throttle, twofactor
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    LoginForm,
    PreferencesForm,
    ResetPasswordForm,
    ResetRequestForm,
    TwoFactorForm,
    TwoFactorSetupForm,
)
from .models import User
from .sessions import home_for, start_session
from .viewer import load_viewer

bp = Blueprint("auth", __name__)

MFA_PENDING_SECONDS = 300


@login_manager.user_loader
def load_user(ident: str) -> User | None:
    uid, _colon, version = ident.partition(":")
    if not uid.isdigit() or not version.isdigit():
        return None
    user = load_viewer(int(uid))  # with organisation, roles, membership and tier: one query
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _submitted_email() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _mfa_account() -> str:
    return "mfa:" + str(session.get("mfa_user", "-"))


def _failed(response) -> bool:
    """Only failed attempts count against the per-account limit (success redirects)."""
    return response.status_code != 302


@bp.before_app_request
def _session_timeouts():
    if request.endpoint in SESSIONLESS_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = time.time()
    if "auth_at" not in session:  # restored from a remember-me cookie
        session["auth_at"] = now
        session["remember"] = True
    if not session.get("remember"):
        cfg = current_app.config
        idle = now - session.get("seen_at", now) > cfg["SESSION_IDLE_MINUTES"] * 60
        too_old = now - session["auth_at"] > cfg["SESSION_ABSOLUTE_HOURS"] * 3600
        if idle or too_old:
            logout_user()
            session.clear()
            flash(_("Your session expired. Please sign in again."), "info")
            return login_redirect()
    if now - session.get("seen_at", 0) > 60:
        session["seen_at"] = now
    return None


# --- email verification ---------------------------------------------------------------


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = services.verify_email(token)
        except DomainError as exc:
            return render_template("auth/link_invalid.html", message=exc.message), 400
        then = services.next_in_verify_token(token)
        if not user.active or user.needs_second_factor:
            # The link proves the address, not the second factor: those accounts sign in.
            db.session.commit()
            flash(_("Your email address is confirmed. You can sign in now."), "success")
            return redirect(url_for("auth.login", next=then) if then else url_for("auth.login"))
        start_session(user, remember=False)  # a fresh session: the link proved the address
        db.session.commit()
        flash(_("Your email address is confirmed and you are signed in."), "success")
        return redirect(safe_next(then, home_for(user)))
    return render_template("auth/verify_email.html", form=form, email=services.email_in_verify_token(token))


# --- login, second factor, logout --------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        account = throttle.account_key(form.email.data)
        wait = throttle.locked_for(account)
        if wait:
            return _locked_login(form, account, wait, next_url)
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as exc:
            throttle.count_failed_password(account)
            form.form_errors.append(exc.message)
        else:
            if user.email_verified_at is None:
                services.send_verification(user)
                db.session.commit()
                return render_template("auth/check_email.html", email=user.email, unverified=True)
            if user.needs_second_factor:
                session.clear()
                session["mfa_user"] = user.get_id()
                session["mfa_started"] = time.time()
                session["mfa_next"] = safe_next(next_url, "")
                db.session.commit()
                if user.totp_enabled_at is None:
                    return redirect(url_for("auth.two_factor_setup"))
                return redirect(url_for("auth.two_factor"))
            start_session(user, form.remember.data)
            db.session.commit()
            return redirect(safe_next(next_url, home_for(user)))
    return render_template("auth/login.html", form=form), 200


def _locked_login(form: LoginForm, account: str, wait: int, next_url: str | None):
    """The account has had five wrong passwords: passwords alone wait, but the password with a
    valid code of the second factor signs in now (one answer for every failure)."""
    if form.code.data and throttle.take_locked_attempt(account):
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError:
            user = None
        if user is not None and user.totp_enabled_at is not None and user.email_verified_at is not None:
            if twofactor.verify(user, form.code.data):
                start_session(user, form.remember.data)
                db.session.commit()
                return redirect(safe_next(next_url, home_for(user)))
            db.session.commit()  # keeps a consumed counter / replay mark
        form.form_errors.append(_("The password or the code is not valid."))
    minutes = max(1, -(-wait // 60))
    response = current_app.make_response(
        (render_template("auth/login.html", form=form, locked_minutes=minutes), 429)
    )
    response.headers["Retry-After"] = str(wait)
    return response


def _pending_mfa_user() -> User | None:
    ident = session.get("mfa_user")
    started = session.get("mfa_started", 0)
    if not ident or time.time() - started > MFA_PENDING_SECONDS:
        return None
    return load_user(ident)


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_mfa_account, deduct_when=_failed)
def two_factor():
    user = _pending_mfa_user()
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    if user.totp_enabled_at is None:
        return redirect(url_for("auth.two_factor_setup"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if twofactor.verify(user, form.code.data):
            next_url = session.get("mfa_next") or home_for(user)
            start_session(user, remember=False)
            db.session.commit()
            return redirect(safe_next(next_url, home_for(user)))
        db.session.commit()  # keeps a consumed counter / replay mark
        form.code.errors = [_("That code is not valid. Try the next one your app shows.")]
    return render_template("auth/two_factor.html", form=form)


@bp.route("/login/2fa/setup", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_mfa_account, deduct_when=_failed)
def two_factor_setup():
    user = _pending_mfa_user()
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    if user.totp_enabled_at is not None:
        return redirect(url_for("auth.two_factor"))

    def signed_in(codes: list[str]):
        next_url = session.get("mfa_next") or home_for(user)
        start_session(user, remember=False)  # clears the setup secret with the rest
        db.session.commit()
        return render_template(
            "auth/recovery_codes.html", codes=codes, next_url=safe_next(next_url, home_for(user))
        )

    return _enrol_second_factor(user, signed_in, voluntary=False)


def _enrol_second_factor(user: User, on_enabled, voluntary: bool):
    """The QR-code page and its confirmation, shared by staff at first sign-in and by anyone from
    their account page. `on_enabled(codes)` answers once the first code matched."""
    secret = session.get("mfa_setup_secret") or twofactor.new_secret()
    session["mfa_setup_secret"] = secret
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.enable(user, secret, form.code.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return on_enabled(codes)
    uri = twofactor.provisioning_uri(user, secret)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        secret=secret,
        qr=twofactor.qr_data_uri(uri),
        voluntary=voluntary,
    )


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        services.logout_everywhere(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


# --- password reset ----------------------------------------------------------------------


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_submitted_email)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account exists for that address, we have sent it a link to choose a new "
                "password. The link works for one hour."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):
    if services.user_for_reset_token(token) is None:
        return render_template(
            "auth/link_invalid.html",
            message=_("This reset link is invalid, expired or already used."),
            retry_url=url_for("auth.reset_request"),
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(
                _("Your password is changed and every other session is signed out. Sign in now."), "success"
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


# --- account settings ---------------------------------------------------------------------


def _preferences_of(user) -> PreferencesForm:
    form = PreferencesForm(prefix="pref", formdata=None)
    form.language.data = user.locale or current_language()
    form.time_zone.data = user.time_zone or str(get_timezone() or "UTC")
    return form


def _account_page(password_form=None, email_form=None, preferences_form=None, status: int = 200):
    """The account page; a form that failed is shown with its errors, the other one empty."""
    return render_template(
        "auth/account.html",
        password_form=password_form or ChangePasswordForm(prefix="pw", formdata=None),
        email_form=email_form or ChangeEmailForm(prefix="em", formdata=None),
        confirm_form=ConfirmForm(),
        preferences_form=preferences_form or _preferences_of(current_user),
        recovery_left=twofactor.remaining_recovery_codes(current_user),
    ), status


@bp.route("/account")
@login_required
def account():
    return _account_page()


@bp.route("/account/preferences", methods=["POST"])
@login_required
def preferences():
    form = PreferencesForm(prefix="pref")
    if not form.validate_on_submit():
        return _account_page(preferences_form=form, status=400)
    user = current_user._get_current_object()
    user.locale, user.time_zone = form.language.data, form.time_zone.data
    session["locale"] = form.language.data
    db.session.commit()
    refresh()  # the confirmation below is already in the chosen language
    flash(_("Your language and time zone are saved."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/language", methods=["POST"])
def set_language():
    """The switcher on every page: visitors keep the choice in their session, signed-in users in
    their profile too. Back to the page it was used on."""
    back = redirect(safe_next(request.form.get("next"), url_for("main.index")))
    language = language_or_none(request.form.get("language"))
    if language is None:
        flash(_("Choose English, French or German."), "danger")
        return back
    session["locale"] = language
    if current_user.is_authenticated and current_user.locale != language:
        current_user.locale = language
        db.session.commit()
    return back


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            user = current_user._get_current_object()
            db.session.commit()
            # Every other session is ended; this one continues with the new session version.
            remember = session.get("remember", False)
            start_session(user, remember)
            db.session.commit()
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(password_form=form, status=400)


@bp.route("/account/email", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def change_email():
    form = ChangeEmailForm(prefix="em")
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.email.data, form.current_password.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "We sent a confirmation link to %(email)s. Your address changes when you open it.",
                    email=services.normalise_email(form.email.data),
                ),
                "info",
            )
            return redirect(url_for("auth.account"))
    return _account_page(email_form=form, status=400)


@bp.route("/account/2fa", methods=["GET", "POST"])
@login_required
def account_two_factor():
    """Any user may turn on the second factor (staff have it from their first sign-in)."""
    if current_user.totp_enabled_at is not None:
        return redirect(url_for("auth.account"))

    def enabled(codes: list[str]):
        session.pop("mfa_setup_secret", None)
        session["mfa_ok"] = True
        db.session.commit()
        return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account"))

    return _enrol_second_factor(current_user._get_current_object(), enabled, voluntary=True)


@bp.route("/account/2fa/disable", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def disable_two_factor():
    if current_user.is_staff:
        abort(403)
    password = request.form.get("password", "")
    try:
        twofactor.disable(current_user, password)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Two-factor authentication is off. You can turn it on again at any time."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/recovery-codes", methods=["POST"])
@login_required
def regenerate_recovery_codes():
    """New one-time codes for an account with two-factor on (the old ones stop working)."""
    if current_user.totp_enabled_at is None or not session.get("mfa_ok"):
        abort(403)
    codes = twofactor.regenerate_recovery_codes(current_user)
    audit.record("user.recovery_codes_regenerated", actor=current_user, target=current_user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account"))


def _email_link(token: str, use_case, page: str, done: str):
    """A link from an email about the address (confirm or cancel a change): GET shows one button,
    the POST runs the use case, signs this browser out and sends it to sign in again."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            use_case(token)
        except DomainError as exc:
            return render_template("auth/link_invalid.html", message=exc.message), 400
        db.session.commit()
        logout_user()
        session.clear()
        flash(done, "success")
        return redirect(url_for("auth.login"))
    return render_template(page, form=form)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    return _email_link(
        token,
        services.confirm_email_change,
        "auth/confirm_email_change.html",
        _("Your email address is changed. Sign in with the new address."),
    )


@bp.route("/account/email/cancel/<token>", methods=["GET", "POST"])
def cancel_email_change(token: str):
    return _email_link(
        token,
        services.cancel_email_change,
        "auth/cancel_email_change.html",
        _(
            "The email change is cancelled and every session is signed out. If someone else knew your "
            "password, change it now (Forgot your password? below)."
        ),
    )


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.logout_everywhere(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))
