"""Company sign-up: the organisation and its first user (owner, billing contact and signatory)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..auth import services as accounts
from ..auth.models import PlatformRole, User
from ..auth.passwords import hash_password, verify_password
from ..core import audit
from ..core.i18n import current_language
from ..core.links import link
from ..core.mail import queue_email
from ..core.web import security_event
from ..extensions import db
from .models import Organisation, OrgRole
from .services import set_roles


@dataclass(frozen=True)
class SignupData:
    legal_name: str
    country: str
    full_name: str
    job_title: str
    email: str
    password: str
    then: str | None = None  # where confirming the address leads (the chosen tier's application)


def sign_up(data: SignupData) -> User | None:
    """Create the organisation and its owner, and send a verification email.

    If the address already has an account, nothing is created and the owner of that address is
    told by email instead: the visitor sees the same answer either way (no enumeration).
    """
    email = accounts.normalise_email(data.email)
    accounts.check_password_policy(data.password, data.email, data.full_name, data.legal_name)
    existing = accounts.find_user_by_email(email)
    if existing is not None:
        verify_password(None, data.password)  # same work as a real sign-up
        _tell_existing_owner(existing)
        return None
    organisation = Organisation(legal_name=data.legal_name.strip(), country=data.country)
    user = User(
        email=email,
        full_name=data.full_name.strip(),
        job_title=data.job_title.strip(),
        password_hash=hash_password(data.password),
        platform_role=PlatformRole.PARTNER,
        organisation=organisation,
        locale=current_language(),  # the language they signed up in: the emails that follow use it
    )
    set_roles(user, {OrgRole.OWNER, OrgRole.BILLING, OrgRole.SIGNATORY})
    try:
        with db.session.begin_nested():  # a simultaneous sign-up with this address may win the race
            db.session.add_all([organisation, user])
            db.session.flush()
    except IntegrityError:
        existing = accounts.find_user_by_email(email)
        if existing is None:
            raise
        _tell_existing_owner(existing)
        return None
    accounts.send_verification(user, then=data.then)
    audit.record("organisation.signed_up", actor=user, target=organisation)
    security_event("signup", user_id=user.id)
    return user


def _tell_existing_owner(user: User) -> None:
    """The address has an account already: its owner hears of the attempt; the visitor sees the
    same answer as for a new account (no enumeration)."""
    queue_email(
        user.email,
        _l("Someone tried to sign up with your address"),
        "signup_existing",
        user=user,
        login_url=link("auth.login"),
        reset_url=link("auth.reset_request"),
    )
    security_event("signup_existing_email", user_id=user.id)
