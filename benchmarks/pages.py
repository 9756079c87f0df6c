"""Every page of the partner area and the console against a bare Flask page, side by side (issue 15).

    .venv/bin/python benchmarks/pages.py                     # everything, prints the tables
    .venv/bin/python benchmarks/pages.py --docs after        # ... and writes them into docs/benchmarks.md
    .venv/bin/python benchmarks/pages.py --quick             # a short smoke run
    .venv/bin/python benchmarks/pages.py --root /work/wt-before --docs before   # another checkout

For each engine (SQLite in a temporary file, PostgreSQL in a scratch database `bench_pages`) it builds
the schema with `flask db upgrade` + seed-demo, signs in the demo organisation's owner and the staff
admin (second factor included), and measures at two sizes: the demo data, then the demo data grown to
1,000 organisations, 5,000 users, 2,000 invoices, 2,000 agreements and 100,000 audit rows
(`benchmarks/large_data.py`, deterministic). At each size:

- throughput: the application under gunicorn (2 sync workers) and the bare page (`benchmarks/bare_app.py`:
  Flask + Flask-SQLAlchemy + a Jinja template listing 50 organisations of the same database, same
  gunicorn settings, another port) are loaded in turns with wrk (16 connections): for every page,
  ROUNDS times the bare page then the page. Each round gives a ratio page/bare; reported are the
  median req/s of both, the median ratio and its min-max;
- SQL queries per page: in-process with Flask's test client and a `before_cursor_execute` counter
  (the second request of each page, after a warm-up one);
- memory: VmRSS of a single gunicorn worker after 1,000 requests over all pages, next to a bare-app
  worker after 1,000 requests.

And per engine: the time from spawning `gunicorn -w 1 wsgi:app` (the real entry point) to the first
200 from /healthz, median of a few starts, next to the bare app's.

The application under test is the checkout given by --root (default: this repository). Its `portal`
is imported from there (the root goes first on PYTHONPATH; checked before measuring), so the same
script measures another worktree. The rate limiter is off (`benchmarks/liaison_wsgi.py`): the run
sends thousands of requests from one address. Needs wrk (`apt-get install wrk`), loopback and, for
PostgreSQL, a server that lets the current user create databases (--pg-url).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"
USER_AGENT = "liaison-bench/1"
APP_PORT, BARE_PORT, SOLO_PORT = 5091, 5092, 5093
PG_DATABASE = "bench_pages"
DOCS_SECTION = "## Pages against a bare Flask page (issue 15)"
TARGET_RATIO = 0.5


@dataclass
class Page:
    path: str
    role: str  # anonymous | partner | admin
    status: dict[str, int] = field(default_factory=dict)  # size -> HTTP status through gunicorn
    queries: dict[str, int | None] = field(default_factory=dict)  # size -> SQL queries in-process
    page_rps: dict[str, list[float]] = field(default_factory=dict)
    bare_rps: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)  # non-2xx/3xx answers and socket errors in wrk

    def ratios(self, size: str) -> list[float]:
        pairs = zip(self.page_rps.get(size, []), self.bare_rps.get(size, []), strict=True)
        return [p / b for p, b in pairs if b]


@dataclass
class EngineResult:
    engine: str
    pages: list[Page]
    sizes: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    memory: dict[str, tuple[float, float]] = field(default_factory=dict)  # size -> (app MB, bare MB)
    startup: tuple[list[float], list[float]] | None = None  # (app seconds, bare seconds)


# --- options -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="application checkout to measure")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--sizes", default="demo,large", help="comma-separated: demo,large")
    parser.add_argument("--pages", default="", help="only pages whose path contains one of these (comma)")
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run (default 2)")
    parser.add_argument("--rounds", type=int, default=3, help="bare/page pairs per page (default 3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--memory-requests", type=int, default=1000)
    parser.add_argument("--startups", type=int, default=5, help="starts per engine for the start-up time")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432", help="server, no db")
    parser.add_argument("--quick", action="store_true", help="1 s runs, 2 rounds, 200 requests, 2 starts")
    parser.add_argument("--markdown", type=Path, help="also write the result tables to this file")
    parser.add_argument(
        "--docs", choices=["before", "after"], help="write the tables into docs/benchmarks.md as this"
    )
    parser.add_argument("--docs-file", type=Path, default=DEFAULT_ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.memory_requests, args.startups = 1, 2, 200, 2
    args.root = args.root.resolve()
    args.engines = [e for e in args.engines.split(",") if e]
    args.sizes = [s for s in args.sizes.split(",") if s]
    return args


# --- the application in this process -------------------------------------------------------------


def import_application(root: Path) -> None:
    sys.path.insert(0, str(root))
    import portal

    if not Path(portal.__file__).resolve().is_relative_to(root):
        sys.exit(f"portal comes from {portal.__file__}, not from {root}")


def sqlite_url(folder: str) -> str:
    return f"sqlite:///{folder}/bench.db"


def postgres_url(server: str, recreate: bool) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        if recreate:
            connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{server}/{PG_DATABASE}"


def build_app(url: str):
    from portal import create_app

    overrides = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "console",
        "LOG_LEVEL": "WARNING",
    }
    return create_app("development", overrides)


def seed_demo(app) -> None:
    from flask_migrate import upgrade

    from portal.demo import seed
    from portal.extensions import db

    with app.app_context():
        upgrade()
        try:
            seed()
        except Exception as exc:  # see below
            db.session.rollback()
            print(
                f"  seed-demo failed ({type(exc).__name__}: {exc}); again, committing before the executed PDF"
            )
            seed_committing_first()
        db.session.commit()


def seed_committing_first() -> None:
    """At some commits seed-demo fails on SQLite: `render_executed` starts a write transaction of its
    own (a rollback on SQLite) and loses the demo rows not yet committed. The seed is idempotent, so it
    runs again with a commit just before each executed PDF is rendered."""
    from portal.agreements import services
    from portal.demo import seed
    from portal.extensions import db

    original = services.render_executed

    def render_after_commit(agreement):
        db.session.commit()
        return original(agreement)

    services.render_executed = render_after_commit
    try:
        seed()
    finally:
        services.render_executed = original


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def signed_in_client(app, email: str, staff: bool = False):
    import pyotp

    from portal.demo import DEMO_PASSWORD, demo_totp_secret

    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT  # Flask-Login's session identifier uses it
    form = {"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(client, "/login")}
    client.post("/login", data=form)
    if staff:
        code = pyotp.TOTP(demo_totp_secret(email)).now()
        client.post("/login/2fa", data={"code": code, "csrf_token": csrf_token(client, "/login/2fa")})
    if client.get("/account").status_code != 200:
        sys.exit(f"could not sign in {email}")
    return client


def fresh_cookie(client) -> str:
    """The session cookie with `seen_at` now, so the server has no reason to rewrite it for a minute."""
    if client is None:
        return ""
    with client.session_transaction() as session:
        session["seen_at"] = time.time()
    return f"liaison_session={client.get_cookie('liaison_session').value}"


def page_list(app) -> list[Page]:
    import sqlalchemy as sa

    from portal.agreements.models import Agreement
    from portal.auth.models import User
    from portal.extensions import db
    from portal.membership.models import Application, Invoice
    from portal.partners.models import Organisation

    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.email == "owner@acme.example"))
        acme = owner.organisation_id
        agreement = db.session.scalar(
            sa.select(Agreement.id).where(Agreement.organisation_id == acme).order_by(Agreement.id)
        )
        invoice = db.session.scalar(sa.select(Invoice.id).where(Invoice.organisation_id == acme))
        nordlicht = db.session.scalar(
            sa.select(Organisation.id).where(Organisation.legal_name == "Nordlicht Energy AS")
        )
        application = db.session.scalar(
            sa.select(Application.id).where(Application.organisation_id == nordlicht)
        )
        owner_id = owner.id
        from portal.catalog.models import Technology, TechnologyStatus

        slug = db.session.scalar(
            sa.select(Technology.slug)
            .where(Technology.status == TechnologyStatus.PUBLISHED, Technology.first_look_until.is_(None))
            .order_by(Technology.id)
        )
    catalog = ["/technologies", "/technologies?q=sensor", "/technologies?q=securty+detection"]
    catalog += [f"/technologies/{slug}"]
    anonymous = ["/", "/tiers", *catalog]
    partner = ["/dashboard", "/organisation", "/membership", "/agreements", f"/agreements/{agreement}"]
    partner += ["/tiers", "/account", *catalog, "/technologies/saved"]
    admin = ["/admin/", "/admin/users", f"/admin/users/{owner_id}", "/admin/organisations"]
    admin += [f"/admin/organisations/{acme}", "/admin/applications", f"/admin/applications/{application}"]
    admin += ["/admin/invoices", f"/admin/invoices/{invoice}", "/admin/agreements"]
    admin += [f"/admin/agreements/{agreement}", "/admin/tiers", "/admin/agreement-templates", "/admin/audit"]
    admin += ["/admin/technologies", "/admin/leads", "/admin/researchers"]
    return (
        [Page(p, "anonymous") for p in anonymous]
        + [Page(p, "partner") for p in partner]
        + [Page(p, "admin") for p in admin]
    )


def count_queries(app, pages: list[Page], clients: dict[str, Any], size: str) -> None:
    import sqlalchemy as sa

    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    counter = [0]

    def count(*_args: Any) -> None:
        counter[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for page in pages:
            client = clients[page.role] or app.test_client()
            client.get(page.path)  # warm-up: caches, first connection
            counter[0] = 0
            response = client.get(page.path)
            page.queries[size] = counter[0] if response.status_code == 200 else None
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def grow(app) -> dict[str, int]:
    sys.path.insert(1, str(HERE))
    import large_data

    from portal.extensions import db

    with app.app_context():
        return large_data.generate(db)


# --- servers ----------------------------------------------------------------------------------


def server_env(args: argparse.Namespace, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(args.root), str(HERE)]),
        "LIAISON_ENV": "development",
        "DATABASE_URL": url,
        "BARE_DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "MAIL_BACKEND": "console",
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_ENABLED": "false",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def check_root(args: argparse.Namespace, url: str) -> None:
    found = subprocess.run(
        [sys.executable, "-c", "import portal; print(portal.__file__)"],
        cwd=args.root,
        env=server_env(args, url),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(args.root):
        sys.exit(f"gunicorn would serve {found}, not {args.root}")


def gunicorn(args: argparse.Namespace, url: str, target: str, port: int, workers: int) -> subprocess.Popen:
    cwd = HERE if target.startswith("bare_app") else args.root
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", target],
        cwd=cwd,
        env=server_env(args, url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_ready(port: int, timeout: float = 30.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return True
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(interval)
    return False


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


def status_of(port: int, path: str, cookie: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie, "User-Agent": USER_AGENT}
    )
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wrk(args: argparse.Namespace, port: int, path: str, cookie: str = "") -> tuple[float, int]:
    command = [
        "wrk",
        "-t2",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "-H",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return rps, errors


def throughput(args, url: str, pages: list[Page], clients: dict[str, Any], size: str) -> None:
    app = gunicorn(args, url, "liaison_wsgi:app", APP_PORT, args.workers)
    bare = gunicorn(args, url, "bare_app:app", BARE_PORT, args.workers)
    try:
        if not (wait_ready(APP_PORT) and wait_ready(BARE_PORT)):
            sys.exit("a server did not start")
        if status_of(BARE_PORT, "/", "") != 200:
            sys.exit("the bare page does not answer 200")
        for page in pages:
            page.status[size] = status_of(APP_PORT, page.path, fresh_cookie(clients[page.role]))
        for page in pages:
            if page.status[size] != 200:
                print(f"  {page.path}: HTTP {page.status[size]}, not measured", flush=True)
                continue
            page.page_rps[size], page.bare_rps[size], page.errors[size] = [], [], 0
            for _ in range(args.rounds):
                bare_rps, bare_errors = wrk(args, BARE_PORT, "/")
                page_rps, page_errors = wrk(args, APP_PORT, page.path, fresh_cookie(clients[page.role]))
                page.bare_rps[size].append(bare_rps)
                page.page_rps[size].append(page_rps)
                page.errors[size] += page_errors + bare_errors
            ratios = page.ratios(size)
            print(
                f"  {page.path:32} {statistics.median(page.page_rps[size]):8.1f} req/s  "
                f"bare {statistics.median(page.bare_rps[size]):8.1f}  ratio {statistics.median(ratios):.2f} "
                f"({min(ratios):.2f}-{max(ratios):.2f})  queries {page.queries.get(size)}",
                flush=True,
            )
    finally:
        stop(app)
        stop(bare)


def worker_rss_mb(master: int) -> float:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def hammer(port: int, requests: list[tuple[str, str]], total: int) -> None:
    for i in range(total):
        path, cookie = requests[i % len(requests)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
        connection.getresponse().read()
        connection.close()


def memory(args, url: str, pages: list[Page], clients: dict[str, Any]) -> tuple[float, float]:
    found = []
    for target, requests in (
        ("liaison_wsgi:app", [(p.path, fresh_cookie(clients[p.role])) for p in pages]),
        ("bare_app:app", [("/", "")]),
    ):
        server = gunicorn(args, url, target, SOLO_PORT, 1)
        try:
            if not wait_ready(SOLO_PORT):
                sys.exit(f"{target} did not start")
            hammer(SOLO_PORT, requests, args.memory_requests)
            found.append(worker_rss_mb(server.pid))
        finally:
            stop(server)
    return found[0], found[1]


def startup(args, url: str) -> tuple[list[float], list[float]]:
    found: tuple[list[float], list[float]] = ([], [])
    for _ in range(args.startups):
        for times, target in zip(found, ("wsgi:app", "bare_app:app"), strict=True):
            started = time.monotonic()
            server = gunicorn(args, url, target, SOLO_PORT, 1)
            try:
                if not wait_ready(SOLO_PORT, interval=0.01):
                    sys.exit(f"{target} did not start")
                times.append(time.monotonic() - started)
            finally:
                stop(server)
    return found


# --- one engine ---------------------------------------------------------------------------------


def run_engine(args: argparse.Namespace, engine: str) -> EngineResult:
    folder = tempfile.mkdtemp(prefix="bench-pages-")
    url = sqlite_url(folder) if engine == "sqlite" else postgres_url(args.pg_url, recreate=True)
    print(f"\n== {engine}", flush=True)
    check_root(args, url)
    app = build_app(url)
    seed_demo(app)
    clients = {
        "anonymous": None,
        "partner": signed_in_client(app, "owner@acme.example"),
        "admin": signed_in_client(app, "admin@liaison.example", staff=True),
    }
    pages = page_list(app)
    if args.pages:
        wanted = args.pages.split(",")
        pages = [p for p in pages if any(w in p.path for w in wanted)]
    result = EngineResult(engine, pages)
    try:
        for size in ("demo", "large"):
            if size == "large":
                if "large" not in args.sizes:
                    break
                started = time.monotonic()
                result.counts["large"] = grow(app)
                print(f"-- large data in {time.monotonic() - started:.0f} s: {result.counts['large']}")
            if size not in args.sizes:
                continue
            result.sizes.append(size)
            print(f"-- {engine}, {size} data", flush=True)
            count_queries(app, pages, clients, size)
            throughput(args, url, pages, clients, size)
            result.memory[size] = memory(args, url, pages, clients)
            print(f"  worker RSS after {args.memory_requests} requests: {result.memory[size][0]:.1f} MB, "
                  f"bare {result.memory[size][1]:.1f} MB", flush=True)  # fmt: skip
        result.startup = startup(args, url)
        app_s, bare_s = result.startup
        app_median, bare_median = statistics.median(app_s), statistics.median(bare_s)
        print(f"  start-up to first answer: {app_median:.2f} s, bare {bare_median:.2f} s", flush=True)
    finally:
        from portal.extensions import db

        with app.app_context():
            db.engine.dispose()
        if engine == "postgresql":
            postgres_url(args.pg_url, recreate=False)
        shutil.rmtree(folder, ignore_errors=True)
    return result


# --- output -------------------------------------------------------------------------------------


def _ratio_cell(ratios: list[float]) -> tuple[str, str]:
    if not ratios:
        return "-", "-"
    median = statistics.median(ratios)
    text = f"{median:.2f}" if median >= TARGET_RATIO else f"**{median:.2f}**"
    return text, f"{min(ratios):.2f}-{max(ratios):.2f}"


def markdown(results: list[EngineResult], args: argparse.Namespace, measured: str) -> str:
    lines = [
        f"Measured {date.today().isoformat()} on {measured}; gunicorn {args.workers} sync workers, wrk "
        f"{args.connections} connections x {args.duration} s, {args.rounds} rounds of bare page then page; "
        f"ratio = page req/s / bare req/s of the same round, median and min-max over the rounds; "
        f"**bold**: below {TARGET_RATIO}x. Queries: SQL statements of one request in-process "
        f"(demo / large).",
        "",
    ]
    for result in results:
        sizes = result.sizes
        head = ["page", "as"]
        for size in sizes:
            head += [f"{size} req/s", "bare req/s", "ratio", "min-max"]
        head += ["queries " + " / ".join(sizes)]
        lines += [f"{result.engine}:", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for page in result.pages:
            row = [f"`{page.path}`", page.role]
            for size in sizes:
                if page.page_rps.get(size):
                    ratio, spread = _ratio_cell(page.ratios(size))
                    row += [
                        f"{statistics.median(page.page_rps[size]):.0f}",
                        f"{statistics.median(page.bare_rps[size]):.0f}",
                        ratio,
                        spread,
                    ]
                else:
                    row += [f"HTTP {page.status.get(size, '-')}", "-", "-", "-"]
            row.append(" / ".join(str(page.queries.get(size, "-")) for size in sizes))
            lines.append("| " + " | ".join(row) + " |")
        errors = {p.path: sum(p.errors.values()) for p in result.pages if sum(p.errors.values())}
        if errors:
            lines += ["", f"wrk errors (non-2xx/3xx or socket): {errors}"]
        below = [
            f"`{p.path}` ({size})"
            for p in result.pages
            for size in sizes
            if p.ratios(size) and statistics.median(p.ratios(size)) < TARGET_RATIO
        ]
        lines += ["", f"Below {TARGET_RATIO}x: {', '.join(below) if below else 'none'}.", ""]
        if "large" in result.counts:
            lines += [f"Large data rows: {result.counts['large']}.", ""]
    lines += [
        f"Memory (VmRSS of one worker after {args.memory_requests} requests; the application's requests "
        "cycle over all pages above):",
        "",
        "| engine | data | Liaison worker MB | bare worker MB | ratio |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        for size, (app_mb, bare_mb) in result.memory.items():
            lines.append(
                f"| {result.engine} | {size} | {app_mb:.1f} | {bare_mb:.1f} | {app_mb / bare_mb:.2f} |"
            )
    lines += [
        "",
        f"Start-up (spawning `gunicorn -w 1` to the first 200 from /healthz, {args.startups} starts, "
        "median and min-max):",
        "",
        "| engine | Liaison `wsgi:app` s | bare app s |",
        "|---|---|---|",
    ]
    for result in results:
        if result.startup:
            app_s, bare_s = result.startup
            lines.append(
                f"| {result.engine} | {statistics.median(app_s):.2f} ({min(app_s):.2f}-{max(app_s):.2f}) | "
                f"{statistics.median(bare_s):.2f} ({min(bare_s):.2f}-{max(bare_s):.2f}) |"
            )
    return "\n".join(lines) + "\n"


def revision(root: Path) -> str:
    def git(*command: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *command], capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "portal", "migrations", "config.py", "wsgi.py")
    return f"commit {commit}" + (" with uncommitted changes" if dirty else "")


def write_docs(path: Path, heading: str, body: str) -> None:
    """Replace the subsection whose heading starts like `heading` (### Before / ### After) inside the
    issue-15 section, or add it at the section's end (the section is added when missing)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if DOCS_SECTION not in text:
        text = text.rstrip() + f"\n\n{DOCS_SECTION}\n"
    start = text.index(DOCS_SECTION)
    after = re.search(r"^## ", text[start + len(DOCS_SECTION) :], re.MULTILINE)
    end = start + len(DOCS_SECTION) + after.start() if after else len(text)
    section = text[start:end]
    key = heading.split(" (")[0]
    block = f"{heading}\n\n{body.rstrip()}\n\n"
    found = re.search(rf"^{re.escape(key)}\b.*$", section, re.MULTILINE)
    if found:
        rest = re.search(r"^### ", section[found.end() :], re.MULTILINE)
        stop_at = found.end() + rest.start() if rest else len(section)
        section = section[: found.start()] + block + section[stop_at:]
    else:
        section = section.rstrip() + "\n\n" + block
    path.write_text(text[:start] + section.rstrip() + "\n\n" + text[end:].lstrip())


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("needs wrk: apt-get install wrk")
    import_application(args.root)
    started = time.monotonic()
    results = [run_engine(args, engine) for engine in args.engines]
    measured = revision(args.root)
    label = f"{'Before' if args.docs == 'before' else 'After' if args.docs else 'Run'} ({measured})"
    body = markdown(results, args, measured)
    print("\n" + body)
    print(f"total {time.monotonic() - started:.0f} s")
    if args.markdown:
        args.markdown.write_text(f"### {label}\n\n{body}")
    if args.docs:
        write_docs(args.docs_file, f"### {label}", body)
        print(f"written to {args.docs_file}")


if __name__ == "__main__":
    main()
