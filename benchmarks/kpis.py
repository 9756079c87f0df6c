"""The KPI dashboard (the console home) at 1,000 organisations and 100,000 audit rows (issue 13).

    .venv/bin/python benchmarks/kpis.py [rounds]       # default 30 rounds, SQLite in a temporary folder

Builds a fresh SQLite database (migrations + seed-demo + benchmarks/large_data.py), then times, in
the same process, `crm.services.kpis.dashboard` for this year and for the last 12 months (the
figures alone) and the whole `/admin/` page signed in as the demo officer (work queue, figures,
charts, template), and counts the page's queries at that size. Prints median and p95 in ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(HERE))

import pages  # noqa: E402  (the page benchmark's app, seed and sign-in helpers)


def timed(fn, rounds: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)]


def main(rounds: int) -> None:
    import sqlalchemy as sa

    from portal.crm.services import kpis
    from portal.extensions import db

    folder = tempfile.mkdtemp(prefix="kpis-bench-")
    app = pages.build_app(pages.sqlite_url(folder))
    pages.seed_demo(app)
    sizes = pages.grow(app)
    today = date.today()
    client = pages.signed_in_client(app, "officer@liaison.example", staff=True)
    with app.app_context():
        organisations = db.session.scalar(sa.text("SELECT count(*) FROM organisation"))
        audit_rows = db.session.scalar(sa.text("SELECT count(*) FROM audit_event"))
    print(f"data: {organisations} organisations, {audit_rows} audit rows ({sizes})")

    def figures(period):
        def run():
            with app.app_context():
                kpis.dashboard(period, today)

        return run

    def page():
        response = client.get("/admin/")
        assert response.status_code == 200

    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        page()
        sa.event.remove(db.engine, "before_cursor_execute", count)
    print(f"/admin/ issues {len(statements)} queries")
    for name, fn in (
        ("dashboard figures, this year", figures(kpis.this_year(today))),
        ("dashboard figures, last 12 months", figures(kpis.last_twelve_months(today))),
        ("/admin/ page, signed in", page),
    ):
        median, p95 = timed(fn, rounds)
        print(f"{name:36} median {median:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
