"""`flask --app wsgi portal ...`: thin, idempotent commands over the services."""

from __future__ import annotations

import json
import secrets
import sys

import click
import pyotp
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from .agreements import services as agreements
from .auth import services as accounts
from .auth.models import PlatformRole
from .billing import gateway
from .catalog.services import saved as saved_searches
from .core.errors import DomainError
from .core.mail import deliver_pending
from .crm.services import tasks as crm_tasks
from .demo import seed
from .extensions import db
from .matching import services as matching
from .membership.card import reconcile
from .membership.renewals import run_renewals

portal_cli = AppGroup("portal", help="Liaison administration commands.")


def generated_password() -> str:
    words = secrets.token_urlsafe(18)
    return f"{words[:6]}-{words[6:12]}-{words[12:18]}-{words[18:]}"


@portal_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="TTO Administrator", help="Full name of the admin.")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@click.option(
    "--staff", is_flag=True, help="Create a staff (Partnership Development Officer) account instead."
)
def create_admin(email: str, name: str, generate: bool, staff: bool) -> None:
    """Create a TTO admin account. The password is prompted, or generated with --generate."""
    if generate or not sys.stdin.isatty():
        password = generated_password()
        shown = True
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        shown = False
    role = PlatformRole.STAFF if staff else PlatformRole.ADMIN
    try:
        user = accounts.create_staff(email, name, password, role)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Created {role.label} account {user.email}.")
    if shown:
        click.echo(f"Password (shown once, store it now): {password}")
    click.echo("At first sign-in you will set up two-factor authentication.")


@portal_cli.command("seed-demo")
def seed_demo() -> None:
    """Demo organisations and accounts (development only). Running it twice changes nothing."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Demo data is only for development (LIAISON_ENV=development).")
    accounts_created = seed()
    db.session.commit()
    click.echo(accounts_created)


@portal_cli.command("demo-totp")
@click.argument("email")
def demo_totp(email: str) -> None:
    """Print the current two-factor code of a demo staff account (development only)."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Only in development.")
    user = accounts.find_user_by_email(email)
    if user is None or not user.totp_secret:
        raise click.ClickException("No such account with two-factor authentication.")
    click.echo(pyotp.TOTP(user.totp_secret).now())


@portal_cli.command("send-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend it is this day (testing).")
def send_reminders(today) -> None:
    """Daily: renewal reminders (each once), renewal invoices, past due and lapsed memberships."""
    report = run_renewals(today.date() if today else None)
    db.session.commit()
    deliver_pending()
    click.echo(str(report))


@portal_cli.command("reconcile-stripe")
def reconcile_stripe() -> None:
    """Compare card memberships with Stripe and heal drift. Running it again changes nothing."""
    if not gateway.enabled():
        raise click.ClickException("Card payments are not configured (STRIPE_SECRET_KEY).")
    try:
        counts, problems = reconcile()
    except gateway.PaymentsUnavailable as exc:
        db.session.rollback()
        raise click.ClickException(f"Stripe is unreachable: {exc}") from None
    db.session.commit()
    deliver_pending()
    click.echo(", ".join(f"{key} {value}" for key, value in counts.items()))
    for problem in problems:
        click.echo(f"  not reconciled: {problem}")
    if problems:
        raise SystemExit(1)  # the others are done; these need a look


@portal_cli.command("render-pending")
def render_pending() -> None:
    """Produce the executed PDFs that could not be rendered at signing time (safe to run any time)."""
    report = agreements.render_pending()
    click.echo(f"rendered {report['rendered']}, failed {report['failed']}")
    if report["failed"]:
        raise SystemExit(1)


@portal_cli.command("deliver-mail")
@click.option("--limit", default=200, show_default=True)
def deliver_mail(limit: int) -> None:
    """Send queued emails that are due, including earlier failures (with backoff)."""
    sent, failed = deliver_pending(limit=limit)
    click.echo(f"sent {sent}, failed {failed}")


@portal_cli.command("send-digests")
def send_digests() -> None:
    """Email each due saved search the new technologies that match it (daily or weekly; each
    technology once per saved search, however often this runs). Run it hourly or daily."""
    report = saved_searches.send_digests()
    deliver_pending()
    click.echo(str(report))


@portal_cli.command("import-technologies")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
def import_technologies(path: str, dry_run: bool) -> None:
    """Create or update technologies from a CSV file (README: "Technology CSV format"); all rows
    or none. Exits 1 on any error, printing each with its row and column."""
    from .catalog.services import csv_io

    with open(path, "rb") as f:
        data = f.read(csv_io.MAX_BYTES + 1)
    plan = csv_io.read_csv(data)
    for error in plan.errors:
        click.echo(f"error: {error}", err=True)
    if not plan.ok:
        db.session.rollback()
        click.echo(f"{len(plan.errors)} error(s); nothing was imported.", err=True)
        raise SystemExit(1)
    for row in plan.rows:
        if row.action != "unchanged":
            detail = f" ({', '.join(row.changes)})" if row.changes else ""
            click.echo(f"row {row.row}: {row.action} {row.reference}{detail}")
    summary = (
        f"{plan.count('create')} to create, {plan.count('update')} to update, "
        f"{plan.count('unchanged')} unchanged"
    )
    if dry_run:
        db.session.rollback()
        click.echo(f"dry run: {summary}; nothing was written.")
        return
    try:
        counts = csv_io.apply(plan, actor=None, filename=path)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        click.echo(f"error: {exc.message}", err=True)
        click.echo("nothing was imported.", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"imported: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, "
        f"{counts['researchers']} researcher(s) added"
    )


@portal_cli.command("export-technologies")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_technologies(path: str) -> None:
    """Write every technology to a CSV file that `import-technologies` reads back unchanged."""
    from .catalog.services import csv_io

    with open(path, "w", encoding="utf-8", newline="") as f:
        count = csv_io.write_csv(f)
    click.echo(f"exported {count} technologies to {path}")


@portal_cli.command("match")
@click.option("--text", "text", default=None, help="Any free text to match.")
@click.option("--challenge", "challenge", default=None, help="A challenge's id or reference (C-2026-0007).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print JSON rows instead of a table.")
def match(text: str | None, challenge: str | None, limit: int, as_json: bool) -> None:
    """Technologies and researchers ranked against a text or a challenge (its title, problem,
    desired outcome and constraints, with its domain and target TRL), with their reasons (staff view)."""
    if (text is None) == (challenge is None):
        raise click.UsageError("Give either --text or --challenge.")
    if challenge is not None:
        from .challenges.models import Challenge

        key = challenge.strip()
        found = db.session.scalar(
            sa.select(Challenge).where(
                Challenge.id == int(key)
                if key.isdigit() and len(key) < 10
                else Challenge.reference == key[:40]
            )
        )
        if found is None:
            raise click.ClickException(f"No challenge {key!r}.")
        rows = matching.match_for_cli(
            found.match_text, limit, domain_id=found.domain_id, target_trl=found.target_trl
        )
    else:
        rows = matching.match_for_cli(text or "", limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['score']:>3}  {row['kind']:<10}  {row['reference']:<14}  {row['name']}")
        for reason in row["reasons"]:
            click.echo(f"     {reason}")


@portal_cli.command("send-task-digests")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend it is this day (testing).")
def send_task_digests(today) -> None:
    """Daily: each staff member with tasks due today or overdue gets one digest email (at most one
    per day however often this runs; nobody with nothing due gets one)."""
    report = crm_tasks.send_task_digests(today.date() if today else None)
    db.session.commit()
    deliver_pending()
    click.echo(str(report))


@portal_cli.command("send-licence-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend it is this day (testing).")
def send_licence_reminders(today) -> None:
    """Daily: reminders of licence reports due in 30 and 7 days, to the licensee's users and the
    responsible officer (each once, however often this runs)."""
    from .innovation.services import reporting as licence_reporting

    report = licence_reporting.send_reminders(today.date() if today else None)
    db.session.commit()
    deliver_pending()
    click.echo(str(report))


@portal_cli.command("send-ip-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend it is this day (testing).")
def send_ip_reminders(today) -> None:
    """Daily: remind the responsible officer of each IP deadline 90, 30 and 7 days before (each
    reminder once, however often this runs)."""
    from .innovation.services.reminders import send_ip_reminders as run

    sent = run(today.date() if today else None)
    db.session.commit()
    deliver_pending()
    click.echo(f"IP reminders sent: {sent}")


translations_cli = AppGroup("translations", help="Extract, update, compile and check the translations.")


@translations_cli.command("update")
@click.argument("catalogs", nargs=-1)
def translations_update(catalogs: tuple[str, ...]) -> None:
    """Extract the marked strings into each catalog's French and German files (all catalogs, or
    those named: core auth partners membership agreements main emails)."""
    from .core import catalogs as c

    for name, missing in c.update(catalogs or None).items():
        click.echo(f"{name}: {missing} untranslated")


@translations_cli.command("compile")
def translations_compile() -> None:
    """Compile every .po into the .mo Flask-Babel reads (commit both)."""
    from .core import catalogs as c

    for path in c.compile_all():
        click.echo(f"wrote {path.relative_to(c.PORTAL)}")


@translations_cli.command("check")
@click.argument("catalogs", nargs=-1)
def translations_check(catalogs: tuple[str, ...]) -> None:
    """Strings not marked for translation, messages without French or German, stale .mo files."""
    from .core import catalogs as c

    problems = c.unmarked(catalogs or None) + c.untranslated(catalogs or None)
    problems += [f"stale: {p}" for p in c.stale_compiled(catalogs or None)]
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} problem(s)")
    sys.exit(1 if problems else 0)
