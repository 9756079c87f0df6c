"""Catalog search (`portal.catalog.services.search.find`) at 100,000 technologies, per engine.

    .venv/bin/python benchmarks/search.py                      # SQLite and PostgreSQL, 100,000 listings
    .venv/bin/python benchmarks/search.py --docs 20000 --runs 30 --no-postgres
    .venv/bin/python benchmarks/search.py --write-docs         # ... and write them into docs/benchmarks.md
    .venv/bin/python benchmarks/search.py --wrk --write-docs   # throughput against a bare page (wrk)

Builds a scratch database per engine with `flask db upgrade` (a temporary SQLite file; on
PostgreSQL `liaison_bench_search` on --pg-url's server, dropped and created afresh), then writes N
generated technologies straight into the tables: `technology` (domains, TRL, IP status, statuses:
85% available, 5% under option, 5% licensed, 5% draft; 2% in first look), both search indexes
exactly as `catalog.services.listings.index_technology` composes them (teaser: title, benefit,
reference + domain names; partner detail: + problem, solution, applications, keywords) with the
engine's index (FTS5 rows / tsvector), and the per-index vocabulary (`search_word`). Text comes
from a Zipf vocabulary: generic words on top, ~150 technical terms in the middle, made-up words in
the tail. ANALYZE, then each query kind runs RUNS times through the whole `find()` call (the ladder
filter, synonyms, typo check, ranked page, facet counts, cards with highlights), for a visitor
(teaser index) and a partner (detail index, licensing-option facet), and, in the same run and
interleaved, a bare top-20 query: FTS5 `MATCH ... ORDER BY bm25 LIMIT 20` / tsvector `@@ ...
ORDER BY ts_rank LIMIT 20` over every match (no ladder, no facets, no count), or for the kinds
without words a bare `SELECT ... ORDER BY published_at DESC LIMIT 20`. Printed: p50/p95/p99 in ms
and p50 as a ratio of the bare query's p50. Budget (design.md): p95 under 30 ms per kind.
With 2 cores shared with other work, read ratios and spread more than absolute times.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from portal import create_app  # noqa: E402
from portal.catalog.models import Domain, IpStatus, LicensingOption, Technology  # noqa: E402
from portal.catalog.services import VISITOR, Level, Viewer, find, parse  # noqa: E402
from portal.catalog.services.listings import DETAIL_INDEX, TEASER_INDEX  # noqa: E402
from portal.core import search  # noqa: E402
from portal.core.models import SearchDocument, SearchWord  # noqa: E402
from portal.core.types import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402

TECH_WORDS = """
sensor sensors graphene battery batteries lithium sodium solid state electrolyte anode cathode
machine learning neural network deep model vision imaging microscopy laser photonic optical fibre
quantum dot qubit cryogenic superconducting magnet magnetic motor drive robot robotic gripper
drone autonomous vehicle traffic navigation radar lidar antenna wireless protocol network edge
cloud encryption privacy blockchain ledger vaccine antibody protein enzyme peptide drug delivery
nanoparticle polymer coating membrane filtration water purification desalination catalyst
hydrogen fuel cell electrolysis solar photovoltaic perovskite wind turbine blade grid storage
thermal insulation concrete steel bridge monitoring fatigue crack acoustic ultrasound diagnostic
biomarker cancer cardiac implant prosthesis orthopaedic wearable textile printing additive
manufacturing casting welding composite carbon fibre recycling circular biodegradable packaging
food agriculture soil irrigation crop genome sequencing crispr microbiome fermentation
cybersecurity intrusion detection malware firewall authentication payment fraud satellite orbit
artificial intelligence vehicle automotive mobile cellular semiconductor chip compiler software
""".split()  # noqa: SIM905
PLACES = ["Zürich", "Genève", "Malmö", "Kraków", "São Paulo", "Delft", "Leuven", "Łódź", "Besançon"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "dra", "sto", "qui", "bel", "mor", "tek"]


GENERIC_WORDS = """
the of and a to in for with on by is are from that this as an be at or which using based new
method system device process high low improved novel can has use its more than into new also
""".split()  # noqa: SIM905


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Generic words take the top Zipf ranks (as in real text), technical terms the middle, in a
    shuffled order, then made-up words the long tail."""
    technical = list(dict.fromkeys(TECH_WORDS))
    rng.shuffle(technical)
    words = list(dict.fromkeys(GENERIC_WORDS)) + technical
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class TextGenerator:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        weights = [1 / (rank + 1) ** 1.07 for rank in range(len(self.words))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def sentence(self, n: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=n)
        if self.rng.random() < 0.05:
            words[self.rng.randrange(n)] = self.rng.choice(PLACES)
        return " ".join(words).capitalize()

    def document(self) -> dict[str, str]:
        rng = self.rng
        body = ". ".join(self.sentence(rng.randint(8, 20)) for _ in range(rng.randint(5, 12))) + "."
        return {
            "title": self.sentence(rng.randint(3, 8)).title(),
            "summary": self.sentence(rng.randint(15, 30)) + ".",
            "body": body,
        }


PARTNER = Viewer(level=Level.PARTNER_DETAIL, organisation_id=1)

# (kind, viewer, URL parameters): the catalog page's query string
KINDS = [
    ("rare term", "visitor", {"q": "kalomi"}),
    ("mid-frequency term", "visitor", {"q": "graphene"}),
    ("very common term", "visitor", {"q": "method"}),
    ("two-letter prefix", "visitor", {"q": "se"}),
    ("three-letter prefix", "visitor", {"q": "sen"}),
    ("multi-word", "visitor", {"q": "solar battery storage"}),
    ("phrase", "visitor", {"q": '"machine learning"'}),
    ("typo", "visitor", {"q": "batery"}),
    ("synonym (car)", "visitor", {"q": "car"}),
    ("facet-only filter", "visitor", {"domain": "cybersecurity", "trl": "4-6"}),
    ("query + two facets", "visitor", {"q": "sensor", "domain": "fintech", "ip": "granted_patent"}),
    ("browse, no filter", "visitor", {}),
    ("common term, newest first", "visitor", {"q": "sensor", "sort": "newest"}),
    ("partner: mid-frequency", "partner", {"q": "graphene"}),
    ("partner: very common", "partner", {"q": "method"}),
    ("partner: query + option", "partner", {"q": "sensor", "option": "exclusive"}),
    ("partner: typo", "partner", {"q": "batery"}),
]


def generate(n: int, domains: list[Domain], rng: random.Random):
    """Yield (technology row, teaser texts, detail texts) for n listings."""
    text = TextGenerator()
    ips, options = [s.value for s in IpStatus], [o.value for o in LicensingOption]
    now = utcnow()
    statuses = ["published"] * 85 + ["under_option"] * 5 + ["licensed"] * 5 + ["draft"] * 5
    for i in range(1, n + 1):
        domain = domains[i % len(domains)]
        reference = f"T-{2000 + i // 10000}-{i % 10000:04d}"
        title = text.sentence(rng.randint(3, 8)).title()
        benefit = text.sentence(rng.randint(8, 18)) + "."
        problem = ". ".join(text.sentence(rng.randint(8, 18)) for _ in range(rng.randint(2, 5))) + "."
        solution = ". ".join(text.sentence(rng.randint(8, 18)) for _ in range(rng.randint(2, 5))) + "."
        applications = [text.sentence(rng.randint(2, 4)) for _ in range(rng.randint(1, 3))]
        keywords = [text.sentence(1) for _ in range(rng.randint(2, 5))]
        status = rng.choice(statuses)
        published = now - timedelta(days=rng.randint(1, 3000), seconds=i)
        row = {
            "id": i,
            "reference": reference,
            "slug": f"tech-{i}",
            "title": title[:200],
            "benefit": benefit[:300],
            "domain_id": domain.id,
            "trl": rng.randint(1, 9),
            "ip_status": rng.choice(ips),
            "problem": problem,
            "solution": solution,
            "advantages": [],
            "applications": applications,
            "keywords": keywords,
            "patent_numbers": [],
            "licensing_options": rng.sample(options, rng.randint(1, 3)),
            "lab": "",
            "dossier_summary": "",
            "status": status,
            "published_at": None if status == "draft" else published,
            "first_look_until": now + timedelta(days=10) if rng.random() < 0.02 else None,
            "created_at": published,
            "updated_at": published,
        }
        names = " ".join(filter(None, [domain.name, *(domain.translations or {}).values()]))
        teaser = (row["title"], row["benefit"], " ".join([reference, names]))
        detail = (
            row["title"],
            row["benefit"],
            "\n".join([reference, names, problem, solution, *applications, *keywords]),
        )
        yield row, teaser, detail


def seed(n: int, batch: int = 2000) -> float:
    """Straight into the tables: technology, search_document (+ FTS5 rows / tsvector), search_word."""
    started = time.perf_counter()
    dialect = db.engine.dialect.name
    domains = list(db.session.scalars(sa.select(Domain).order_by(Domain.id)))
    vocabulary = {TEASER_INDEX: Counter(), DETAIL_INDEX: Counter()}
    rng = random.Random(11)
    technologies: list[dict] = []
    documents: list[dict] = []
    stamp = utcnow()

    def flush() -> None:
        db.session.execute(sa.insert(Technology), technologies)
        if dialect == "sqlite":
            db.session.execute(
                sa.insert(SearchDocument),
                [
                    {
                        k: d[k]
                        for k in ("id", "index_name", "doc_id", "title", "summary", "body", "updated_at")
                    }
                    for d in documents
                ],
            )
            db.session.execute(
                sa.text(
                    f"INSERT INTO {search.FTS_TABLE} (rowid, title, summary, body)"
                    " VALUES (:id, :tw, :sw, :bw)"
                ),
                documents,
            )
        else:
            db.session.execute(
                sa.text(
                    "INSERT INTO search_document"
                    " (id, index_name, doc_id, title, summary, body, updated_at, search_vector)"
                    " VALUES (:id, :index_name, :doc_id, :title, :summary, :body, :updated_at,"
                    " setweight(to_tsvector('simple'::regconfig, :tw), 'A')"
                    " || setweight(to_tsvector('simple'::regconfig, :sw), 'B')"
                    " || setweight(to_tsvector('simple'::regconfig, :bw), 'C'))"
                ).bindparams(sa.bindparam("updated_at", type_=search.UTCDateTime)),
                documents,
            )
        db.session.commit()
        technologies.clear()
        documents.clear()

    for row, teaser, detail in generate(n, domains, rng):
        technologies.append(row)
        for offset, index, texts in ((0, TEASER_INDEX, teaser), (n, DETAIL_INDEX, detail)):
            words = [search.indexed_text(t) for t in texts]
            vocabulary[index].update(search._document_words(*words))
            documents.append(
                {
                    "id": row["id"] + offset,
                    "index_name": index,
                    "doc_id": row["id"],
                    "title": texts[0],
                    "summary": texts[1],
                    "body": texts[2],
                    "updated_at": stamp,
                    "tw": words[0],
                    "sw": words[1],
                    "bw": words[2],
                }
            )
        if len(technologies) >= batch:
            flush()
            print(f"\r  seeded {row['id']:,}", end="", flush=True)
    if technologies:
        flush()
    for index, counts in vocabulary.items():
        values = [{"index_name": index, "word": w, "doc_count": c} for w, c in counts.items()]
        for start in range(0, len(values), 5000):
            db.session.execute(sa.insert(SearchWord), values[start : start + 5000])
    if dialect == "postgresql":
        db.session.execute(sa.text("SELECT setval('search_document_id_seq', :n)"), {"n": 2 * n})
        db.session.execute(sa.text("SELECT setval('technology_id_seq', :n)"), {"n": n})
    db.session.commit()
    print()
    return time.perf_counter() - started


def timed(fn, runs: int) -> list[float]:
    for _ in range(3):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def bare_query(params: dict) -> tuple[sa.TextClause, dict]:
    """The naive top-20: every match ranked, no ladder, no facets, no count."""
    dialect = db.engine.dialect.name
    terms = search.parse_query(params.get("q", ""))
    if not terms:
        return sa.text("SELECT id FROM technology ORDER BY published_at DESC LIMIT 20"), {}
    if dialect == "sqlite":
        return sa.text(
            f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH :m"
            f" ORDER BY bm25({search.FTS_TABLE}, 10.0, 4.0, 1.0) LIMIT 20"
        ), {"m": search.fts5_query(terms)}
    return sa.text(
        "SELECT id FROM search_document WHERE index_name = :i"
        " AND search_vector @@ to_tsquery('simple'::regconfig, :q)"
        " ORDER BY ts_rank(search_vector, to_tsquery('simple'::regconfig, :q)) DESC LIMIT 20"
    ), {"q": search.tsquery(terms), "i": TEASER_INDEX}


def bench(url: str, label: str, docs: int, runs: int) -> list[str]:
    app = create_app("testing", {"DATABASE_URL": url})
    out: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        out.append(line)

    with app.app_context(), app.test_request_context():
        upgrade()
        print(f"{label}: seeding {docs:,} technologies")
        seconds = seed(docs)
        say(f"{label}: {docs:,} technologies seeded in {seconds:.0f} s (straight into the tables)")
        if db.engine.dialect.name == "sqlite":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        header = (
            f"  {'kind':<27} {'total':>6} {'p50':>6} {'p95':>6} {'p99':>6}"
            f"  {'bare p50':>8} {'bare p95':>8}  {'x bare':>6}"
        )
        say(header + "   (ms)")
        worst = 0.0
        for kind, who, params in KINDS:
            viewer = VISITOR if who == "visitor" else PARTNER
            query = parse(MultiDict(params))
            results = find(viewer, query)
            statement, values = bare_query(params)
            ours: list[float] = []
            bare: list[float] = []
            for _ in range(3):
                find(viewer, query)
                db.session.execute(statement, values).all()
            for _ in range(runs):  # interleaved, so both see the same load on the shared machine
                t0 = time.perf_counter()
                find(viewer, query)
                t1 = time.perf_counter()
                db.session.execute(statement, values).all()
                t2 = time.perf_counter()
                ours.append((t1 - t0) * 1000)
                bare.append((t2 - t1) * 1000)
            db.session.rollback()
            p95 = percentile(ours, 0.95)
            worst = max(worst, p95)
            total = f"{results.total}{'' if results.total_exact else '+'}"
            if results.corrected_to:
                total += "*"
            say(
                f"  {kind:<27} {total:>6} {statistics.median(ours):>6.1f} {p95:>6.1f}"
                f" {percentile(ours, 0.99):>6.1f}"
                f"  {statistics.median(bare):>8.1f} {percentile(bare, 0.95):>8.1f}"
                f"  {statistics.median(ours) / max(statistics.median(bare), 0.01):>6.1f}"
            )
        say(f"  worst p95: {worst:.1f} ms (budget 30 ms) -> {'within' if worst <= 30 else 'OVER'} budget")
        db.session.remove()
        db.engine.dispose()
    return out


DOCS_SECTION = "## Catalog search — `benchmarks/search.py`"


def write_docs(lines: list[str], command: str, marker: str = "search-results") -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text()
    start = text.index(DOCS_SECTION)
    end = text.find("\n## ", start + 1)
    block = text[start : end if end != -1 else len(text)]
    marker_start, marker_end = f"<!-- {marker} -->\n", f"<!-- /{marker} -->"
    i, j = block.index(marker_start) + len(marker_start), block.index(marker_end)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    new = block[:i] + f"Run {stamp}: `{command}`\n\n```\n" + "\n".join(lines) + "\n```\n" + block[j:]
    path.write_text(text.replace(block, new))


WRK_PATHS = [
    "/technologies?q=sensor",
    "/technologies?q=graphene+battery",
    "/technologies?q=batery",
    "/technologies?domain=cybersecurity&trl=4-6",
    "/technologies",
]


def throughput(docs: int, rounds: int, duration: int) -> list[str]:
    """`/technologies?...` under gunicorn (2 sync workers) against the bare page, in turns with
    wrk (16 connections), on SQLite with `docs` technologies; ratios per round."""
    import subprocess
    import types

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import pages  # the gunicorn / wrk helpers of benchmarks/pages.py

    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/search-wrk.db"
        app = create_app("testing", {"DATABASE_URL": url})
        with app.app_context():
            upgrade()
            seed(docs)
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
            db.engine.dispose()
        args = types.SimpleNamespace(root=ROOT, connections=16, duration=duration)
        env_args = types.SimpleNamespace(root=ROOT)
        servers = []
        for target, port in (("liaison_wsgi:app", pages.APP_PORT), ("search_bare_app:app", pages.BARE_PORT)):
            servers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", target],
                    cwd=ROOT / "benchmarks",
                    env=pages.server_env(env_args, url),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        try:
            assert all(pages.wait_ready(port) for port in (pages.APP_PORT, pages.BARE_PORT)), "servers"
            out.append(
                f"Throughput, SQLite, {docs:,} technologies, gunicorn -w 2, wrk -c16 {duration} s x {rounds}:"
            )
            out.append(f"  {'path':<46} {'req/s':>6} {'bare':>6} {'ratio':>6} {'min-max':>10} {'errors':>6}")
            for path in WRK_PATHS:
                assert pages.status_of(pages.APP_PORT, path, "") == 200, path
                ratios, ours, bare, errors = [], [], [], 0
                for _ in range(rounds):
                    b, e1 = pages.wrk(args, pages.BARE_PORT, "/")
                    r, e2 = pages.wrk(args, pages.APP_PORT, path)
                    bare.append(b)
                    ours.append(r)
                    ratios.append(r / b if b else 0)
                    errors += e1 + e2
                out.append(
                    f"  {path:<46} {statistics.median(ours):>6.0f} {statistics.median(bare):>6.0f}"
                    f" {statistics.median(ratios):>6.2f} {min(ratios):>4.2f}-{max(ratios):<4.2f} {errors:>6}"
                )
                print(out[-1], flush=True)
        finally:
            for server in servers:
                pages.stop(server)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/liaison_bench_search")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--write-docs", action="store_true", help="write the tables into docs/benchmarks.md")
    parser.add_argument("--wrk", action="store_true", help="only the throughput comparison (needs wrk)")
    parser.add_argument("--wrk-docs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=2)
    args = parser.parse_args()
    lines: list[str] = []
    if args.wrk:
        lines = throughput(args.wrk_docs, args.rounds, args.duration)
        if args.write_docs:
            write_docs(
                lines,
                "benchmarks/search.py " + " ".join(a for a in sys.argv[1:] if a != "--write-docs"),
                marker="search-throughput",
            )
        return
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            lines += bench(f"sqlite:///{tmp}/search-bench.db", "SQLite (FTS5)", args.docs, args.runs)
    if not args.no_postgres:
        url = sa.engine.make_url(args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
        lines += bench(
            url.render_as_string(hide_password=False), "PostgreSQL (tsvector + GIN)", args.docs, args.runs
        )
    if args.write_docs:
        write_docs(lines, "benchmarks/search.py " + " ".join(a for a in sys.argv[1:] if a != "--write-docs"))


if __name__ == "__main__":
    main()
