"""Server time of the main pages on the seeded demo data, with 16 concurrent users.

    .venv/bin/python benchmarks/pages.py                       # SQLite (temporary copy)
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python benchmarks/pages.py

It builds a database with `flask db upgrade` + `seed-demo`, signs in a partner and a staff user
(their session cookies), starts gunicorn (4 workers on this 2-core machine) on 127.0.0.1 and loads
each page with wrk (Debian package `wrk`): 16 connections for 5 seconds. Reported: requests/s and
the latency distribution (p50, p90, p99 as wrk prints them). Results are recorded in
docs/benchmarks.md. Needs only loopback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.demo import DEMO_PASSWORD, demo_totp_secret, seed  # noqa: E402
from portal.extensions import db  # noqa: E402

PARTNER_PAGES = [
    "/dashboard",
    "/organisation",
    "/membership",
    "/agreements",
    "/agreements/1",
    "/tiers",
    "/account",
]
STAFF_PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/organisations",
    "/admin/applications",
    "/admin/invoices",
    "/admin/agreements",
    "/admin/agreements/1",
    "/admin/audit",
]
PORT = 5091
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"


def token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def session_cookie(app, email: str, staff: bool = False) -> str:
    client = app.test_client()
    client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token(client, "/login")}
    )
    if staff:
        code = pyotp.TOTP(demo_totp_secret(email)).now()
        client.post("/login/2fa", data={"code": code, "csrf_token": token(client, "/login/2fa")})
    return f"liaison_session={client.get_cookie('liaison_session').value}"


def wrk(url: str, cookie: str) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", "-d5s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {k: v for k, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.MULTILINE)}
    found["rps"] = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["errors"] = non2xx.group(1) if non2xx else "0"
    return found


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("needs wrk: apt-get install wrk")
    folder = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    env = {
        **os.environ,
        "LIAISON_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(SECRET_KEY=SECRET)
    app = create_app("development", {"DATABASE_URL": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        seed()  # links in its emails come from BASE_URL (core.links), no request needed
        db.session.commit()
    partner = session_cookie(app, "owner@acme.example")
    staff = session_cookie(app, "admin@liaison.example", staff=True)

    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "4", "-b", f"127.0.0.1:{PORT}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        print(f"database: {url.split('://')[0]}; gunicorn 4 workers; wrk 16 connections x 5 s per page")
        print(f"{'page':24} {'req/s':>8} {'p50':>9} {'p90':>9} {'p99':>9} {'non-2xx':>8}")
        for cookie, pages in ((partner, PARTNER_PAGES), (staff, STAFF_PAGES)):
            for path in pages:
                r = wrk(f"http://127.0.0.1:{PORT}{path}", cookie)
                print(f"{path:24} {r['rps']:>8} {r['50']:>9} {r['90']:>9} {r['99']:>9} {r['errors']:>8}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
