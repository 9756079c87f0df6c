"""Pages against the bare page in ONE process, with Flask test clients (issue 15): a quick harness to
measure a change in seconds, without gunicorn and wrk.

    .venv/bin/python benchmarks/inprocess.py                          # every page, ratio liaison/bare
    .venv/bin/python benchmarks/inprocess.py --pages dashboard,admin/ -n 200
    .venv/bin/python benchmarks/inprocess.py --split --pages all      # ms per part of a request
    .venv/bin/python benchmarks/inprocess.py --profile /dashboard     # cProfile of one page
    .venv/bin/python benchmarks/inprocess.py --profile /dashboard --sort tottime --limit 60
    .venv/bin/python benchmarks/inprocess.py --root /work/other-worktree   # measure another checkout

The application (the checkout given by --root) gets the demo data on a temporary SQLite file (or
--database-url, e.g. a scratch PostgreSQL database) built as `benchmarks/pages.py` does (`flask db
upgrade` + seed-demo, same functions); the bare page (`benchmarks/bare_app.py`) reads the same
database. Both run in this process. For each page: a warm-up, then ROUNDS rounds of N requests of
the bare page followed by N of the page; each round gives the ratio of time per request
page/bare, in CPU time of the process (--wall for wall time).
Reported: the median time per request of both, the median time ratio and its min-max,
and the throughput ratio (bare/page time: what `pages.py` reports, target >= 0.5, i.e. a time
ratio <= 2). The machine is shared, so only the ratios of one run mean something, never the
absolute times, and a change is measured by running this before and after in turns.

A test client skips the HTTP server and socket, which gunicorn adds to both sides, so these ratios
are a little worse than the ones of `pages.py`; they move together.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pages as bench  # noqa: E402  (benchmarks/pages.py: same data, sign-ins and pages)

# CPU time of this process, not wall time: the other processes on the machine then matter far less
# (they still share caches and cores), which is what makes a 5 % change visible. --wall for wall time.
CLOCK = time.process_time
DEFAULT_PAGES = "/dashboard,/membership,/organisation,/admin/,/admin/organisations"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=bench.DEFAULT_ROOT, help="application checkout")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument(
        "--pages", default=DEFAULT_PAGES, help="these paths (comma, exact); 'all': every page of pages.py"
    )
    parser.add_argument("-n", type=int, default=100, help="requests per side per round (default 100)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per page (default 5)")
    parser.add_argument("--profile", metavar="PATH", help="cProfile this page instead of comparing")
    parser.add_argument("--sort", default="cumulative", help="profile sort: cumulative, tottime ...")
    parser.add_argument("--limit", type=int, default=45, help="profile lines to print")
    parser.add_argument("--save", type=Path, help="also write the profile here (for pstats / snakeviz)")
    parser.add_argument("--split", action="store_true", help="time per part of a request, per page")
    parser.add_argument("--wall", action="store_true", help="measure wall time, not CPU time")
    args = parser.parse_args(argv)
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter
    args.root = args.root.resolve()
    return args


def setup(args: argparse.Namespace):
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    bench.import_application(args.root)
    url = args.database_url or bench.sqlite_url(tempfile.mkdtemp(prefix="bench-inprocess-"))
    app = bench.build_app(url)
    bench.seed_demo(app)
    clients = {
        "anonymous": app.test_client(),
        "partner": bench.signed_in_client(app, "owner@acme.example"),
        "admin": bench.signed_in_client(app, "admin@liaison.example", staff=True),
    }
    for client in clients.values():
        client.environ_base["HTTP_USER_AGENT"] = bench.USER_AGENT
    os.environ["BARE_DATABASE_URL"] = url
    import bare_app

    pages = bench.page_list(app)
    import portal

    if hasattr(portal, "freeze_startup_objects"):  # as wsgi.py does in a serving process
        portal.freeze_startup_objects()
    return app, bare_app.app.test_client(), clients, pages


def timed(client, path: str, n: int) -> float:
    get = client.get
    started = CLOCK()
    for _ in range(n):
        response = get(path)
        response.close()
    return (CLOCK() - started) / n


def compare(args, bare, clients, pages) -> None:
    print(f"{'page':28} {'as':9} {'ms':>6} {'bare ms':>8} {'time x':>7} {'min-max':>11} {'thr x':>6}")
    all_ratios = []
    for page in pages:
        client = clients[page.role]
        status = client.get(page.path).status_code
        if status != 200:
            print(f"{page.path:28} {page.role:9} HTTP {status}, not measured")
            continue
        timed(client, page.path, 5)
        timed(bare, "/", 5)
        ours, theirs, ratios = [], [], []
        for _ in range(args.rounds):
            base = timed(bare, "/", args.n)
            mine = timed(client, page.path, args.n)
            ours.append(mine)
            theirs.append(base)
            ratios.append(mine / base)
        median = statistics.median(ratios)
        all_ratios.append(median)
        print(
            f"{page.path:28} {page.role:9} {statistics.median(ours) * 1000:6.2f} "
            f"{statistics.median(theirs) * 1000:8.2f} {median:7.2f} "
            f"{min(ratios):5.2f}-{max(ratios):5.2f} {1 / median:6.2f}",
            flush=True,
        )
    if all_ratios:
        print(f"geometric mean time ratio: {statistics.geometric_mean(all_ratios):.2f}")


def split(args, app, clients, pages) -> None:
    """Where a request's time goes, without a profiler's distortion: the before-request hooks (the
    viewer's load among them), the view without its rendering, the template rendering, the
    after-request hooks, and the rest (WSGI, test client, session, context push)."""
    import flask.templating

    spent: dict[str, float] = {}

    def timing(name, function):
        def wrapper(*a, **k):
            started = CLOCK()
            try:
                return function(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + CLOCK() - started

        return wrapper

    render = flask.templating._render
    flask.templating._render = timing("render", render)
    app.preprocess_request = timing("before", app.preprocess_request)
    app.dispatch_request = timing("view", app.dispatch_request)
    app.process_response = timing("after", app.process_response)
    try:
        print(f"{'page':28} {'ms':>6} {'before':>7} {'view':>6} {'render':>7} {'after':>6} {'rest':>6}")
        for page in pages:
            client = clients[page.role]
            timed(client, page.path, 5)
            spent.clear()
            total = timed(client, page.path, args.n) * 1000
            part = {k: v * 1000 / args.n for k, v in spent.items()}
            view = part.get("view", 0) - part.get("render", 0)
            rest = total - part.get("before", 0) - part.get("view", 0) - part.get("after", 0)
            print(
                f"{page.path:28} {total:6.2f} {part.get('before', 0):7.2f} {view:6.2f} "
                f"{part.get('render', 0):7.2f} {part.get('after', 0):6.2f} {rest:6.2f}",
                flush=True,
            )
    finally:
        flask.templating._render = render


def profile(args, clients, pages) -> None:
    page = next((p for p in pages if p.path == args.profile), None)  # the first: anonymous for /tiers
    role = page.role if page else ("admin" if args.profile.startswith("/admin") else "partner")
    client = clients[role]
    timed(client, args.profile, 10)
    profiler = cProfile.Profile()
    profiler.enable()
    timed(client, args.profile, args.n)
    profiler.disable()
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.limit)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    app, bare, clients, pages = setup(args)
    if args.profile:
        profile(args, clients, pages)
        return
    if args.pages != "all":
        wanted = [w for w in args.pages.split(",") if w]
        pages = [p for p in pages if p.path in wanted]
    if args.split:
        split(args, app, clients, pages)
    else:
        compare(args, bare, clients, pages)


if __name__ == "__main__":
    main()
