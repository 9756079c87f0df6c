"""Configuration classes. Every value comes from the environment (and `.env` in development).

Pick a class with ``LIAISON_ENV`` = development | testing | production (default: production,
so that a server which forgets to say otherwise gets the strict settings).
Every variable read here is listed in `.env.example` and in the README.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("LIAISON_INSTANCE_PATH", BASE_DIR / "instance"))


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value is not None else default


def env_list(name: str) -> list[str] | None:
    value = env(name)
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting providers hand out and use psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = env("SECRET_KEY")
    DATABASE_URL = env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'liaison.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Branding: the institution and its programme.
    INSTITUTION_NAME = env("INSTITUTION_NAME", "Northfield Institute of Technology")
    PROGRAMME_NAME = env("PROGRAMME_NAME", "Industry Partnership Programme")
    PORTAL_NAME = env("PORTAL_NAME", "Liaison")
    CONTACT_EMAIL = env("CONTACT_EMAIL", "partnerships@example.org")
    BRAND_PRIMARY = env("BRAND_PRIMARY", "#0b4f6c")
    BRAND_ACCENT = env("BRAND_ACCENT", "#e4572e")
    LOGO_PATH = env("LOGO_PATH", "img/logo.svg")  # relative to portal/static/
    BASE_URL = env("BASE_URL", "http://127.0.0.1:5000")

    # Sessions and cookies.
    SESSION_COOKIE_NAME = "liaison_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_NAME = "liaison_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(days=env_int("REMEMBER_DAYS", 14))
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
    SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))
    # The cookie is rewritten when the session changes, not on every answer: `seen_at` changes at
    # most once a minute (auth.routes._session_timeouts), which also renews the cookie's expiry, and
    # the timeouts are enforced from the session's own timestamps. Saves a JSON dump, a compression
    # and an HMAC on nearly every signed-in request (issue 15).
    SESSION_REFRESH_EACH_REQUEST = False
    TRUSTED_HOSTS = env_list("TRUSTED_HOSTS")
    PROXY_FIX_X_FOR = env_int("PROXY_FIX_X_FOR", 0)  # number of trusted proxies in front
    HSTS_SECONDS = env_int("HSTS_SECONDS", 0)

    # Forms and uploads.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = env_int("MAX_UPLOAD_MB", 25) * 1024 * 1024

    # File storage (portal.core.storage): "local" keeps files under STORAGE_PATH, by default
    # <instance path>/storage (outside portal/static/); other backends register their own name.
    STORAGE_BACKEND = env("STORAGE_BACKEND", "local")
    STORAGE_PATH = env("STORAGE_PATH")

    # Rate limits (Flask-Limiter). memory:// is per process; use redis:// when several run.
    RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URI", "memory://")
    # memory:// counts per process: with several workers every limit multiplies. Production refuses
    # it unless this says only one process serves.
    RATELIMIT_SINGLE_PROCESS = env_bool("RATELIMIT_SINGLE_PROCESS", False)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True
    RATELIMIT_KEY_PREFIX = "liaison"

    # Accounts.
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MAX_LENGTH = 128
    RESET_TOKEN_MAX_AGE = 3600
    EMAIL_CHANGE_TOKEN_MAX_AGE = 3600  # bound to the session version and password too
    VERIFY_TOKEN_MAX_AGE = 7 * 24 * 3600
    INVITATION_DAYS = 7
    # Argon2id parameters (portal/auth/passwords.py PROFILES): "strong" for every real deployment.
    PASSWORD_HASH_PROFILE = "strong"  # noqa: S105 (a profile name, not a password)

    # Mail: console (log only), smtp, or memory (tests).
    MAIL_BACKEND = env("MAIL_BACKEND", "console")
    MAIL_SERVER = env("MAIL_SERVER", "localhost")
    MAIL_PORT = env_int("MAIL_PORT", 587)
    MAIL_USERNAME = env("MAIL_USERNAME")
    MAIL_PASSWORD = env("MAIL_PASSWORD")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)
    MAIL_DEFAULT_SENDER = env("MAIL_DEFAULT_SENDER", "Liaison <no-reply@example.org>")
    MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)
    # "background": a thread of each process sends a request's mail after it answered (and retries
    # due failures every MAIL_SWEEP_SECONDS); "request": sent before the response leaves (tests).
    MAIL_DELIVERY = env("MAIL_DELIVERY", "background")
    MAIL_SWEEP_SECONDS = env_int("MAIL_SWEEP_SECONDS", 60)

    LOG_LEVEL = env("LOG_LEVEL", "INFO")
    # /healthz answers 503 when the database's or the file storage's disk has less free space.
    HEALTH_MIN_FREE_MB = env_int("HEALTH_MIN_FREE_MB", 50)

    # Membership billing: the seller on invoices and the bank account partners pay into.
    SELLER_NAME = env("SELLER_NAME", "Northfield Institute of Technology")
    SELLER_ADDRESS = env("SELLER_ADDRESS", "Technology Transfer Office\nKanaalweg 1\n2628 EB Delft")
    SELLER_COUNTRY = env("SELLER_COUNTRY", "NL")
    SELLER_VAT_NUMBER = env("SELLER_VAT_NUMBER", "NL001234567B01")
    SELLER_REGISTRATION = env("SELLER_REGISTRATION", "KvK 12345678")
    VAT_RATE_PERCENT = float(env("VAT_RATE_PERCENT", "21") or 21)
    BANK_NAME = env("BANK_NAME", "ING Bank N.V.")
    BANK_IBAN = env("BANK_IBAN", "NL91 INGB 0001 2345 67")
    BANK_BIC = env("BANK_BIC", "INGBNL2A")
    INVOICE_DUE_DAYS = env_int("INVOICE_DUE_DAYS", 30)
    INVOICE_PREFIX = env("INVOICE_PREFIX", "INV")
    RENEWAL_REMINDER_DAYS = env("RENEWAL_REMINDER_DAYS", "60,30,7")

    # Agreements: numbers like LIA-2026-0042 and the person who signs for the institution.
    AGREEMENT_PREFIX = env("AGREEMENT_PREFIX", "LIA")
    AGREEMENT_SIGNATORY_NAME = env("AGREEMENT_SIGNATORY_NAME", "Dr. Ingrid Vos")
    AGREEMENT_SIGNATORY_TITLE = env("AGREEMENT_SIGNATORY_TITLE", "Director, Technology Transfer Office")

    # Card payments (Stripe). Without a secret key card payment is hidden; invoices work alone.
    STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = env("STRIPE_API_BASE")  # a Stripe-compatible server (the tests' fake)
    # Extra origins that forms may lead to (e.g. a test payment server's checkout pages)
    CSP_FORM_ACTION_EXTRA = env_list("CSP_FORM_ACTION_EXTRA")
    RENEWAL_GRACE_DAYS = env_int("RENEWAL_GRACE_DAYS", 30)

    @staticmethod
    def problems(config: dict) -> list[str]:
        """What makes this configuration unfit to start (empty when it is fine)."""
        return []


def development_secret(instance_dir: Path = INSTANCE_DIR) -> str:
    """A random key kept in instance/ so sessions survive a restart of the dev server."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEMO_ALLOWED = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production-use-0123456789"  # noqa: S105
    MAIL_BACKEND = "memory"
    MAIL_DELIVERY = "request"  # deterministic: sent before the test reads the outbox
    DEMO_ALLOWED = True
    BASE_URL = "http://portal.test"
    SERVER_NAME = None
    PASSWORD_HASH_PROFILE = "fast"  # noqa: S105 (cheap Argon2id: the tests hash thousands of times)


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    PREFERRED_URL_SCHEME = "https"
    DEMO_ALLOWED = False

    DATABASE_URL = env("DATABASE_URL")
    BASE_URL = env("BASE_URL")

    @staticmethod
    def problems(config: dict) -> list[str]:
        found = []
        key = config.get("SECRET_KEY") or ""
        if len(key) < 32 or key in WEAK_SECRETS:
            found.append("SECRET_KEY must be a random value of at least 32 characters")
        if not config.get("DATABASE_URL"):
            found.append("DATABASE_URL must be set")
        if not config.get("BASE_URL"):
            found.append("BASE_URL must be set (links in emails are built from it)")
        if config.get("DEBUG"):
            found.append("debug mode must be off")
        if config.get("PASSWORD_HASH_PROFILE") != "strong":
            found.append("PASSWORD_HASH_PROFILE must be strong")
        if config.get("STRIPE_SECRET_KEY") and not config.get("STRIPE_WEBHOOK_SECRET"):
            found.append("STRIPE_WEBHOOK_SECRET must be set when card payment is on")
        if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://") and not config.get(
            "RATELIMIT_SINGLE_PROCESS"
        ):
            found.append(
                "RATELIMIT_STORAGE_URI must be shared storage such as redis://host:6379/0: with memory:// "
                "each worker counts alone and the limits multiply (set RATELIMIT_SINGLE_PROCESS=true if "
                "exactly one process serves)"
            )
        if config.get("MAIL_BACKEND") != "smtp":
            found.append("MAIL_BACKEND must be smtp (console would write reset links into the logs)")
        return found


WEAK_SECRETS = {"changeme", "secret", "dev", "change-me-to-a-long-random-value"}

CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    name = name or env("LIAISON_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"LIAISON_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
