"""Full-text search (portal.core.search) at catalog scale, per engine.

    .venv/bin/python benchmarks/search.py                                  # 100,000 docs, SQLite
    .venv/bin/python benchmarks/search.py --docs 10000                     # fewer
    .venv/bin/python benchmarks/search.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

Builds a scratch database per engine with `flask db upgrade` (a temporary SQLite file; on
PostgreSQL a database named `liaison_search_bench` on the server of the given URL, dropped and
created afresh, dropped again at the end), seeds N generated technology-like documents through
`search.index_document` (title, summary, body; a Zipf-distributed vocabulary, some words with
diacritics), runs ANALYZE, then times a fixed set of `search.search` calls (the whole call:
the ranked page, the bounded count and the snippets). Baseline: a primary-key SELECT of 20 rows
of the same table on the same connection. Printed: median and p95 in ms per query and as a
ratio of the baseline median. Budget (docs/design): p95 under 30 ms at 100,000 documents.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.core import search  # noqa: E402
from portal.core.models import SearchDocument  # noqa: E402
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


QUERIES = [
    ("very common word (~all)", "method", None),
    ("common word", "sensor", None),
    ("two words", "graphene battery", None),
    ("three words", "solar cell storage", None),
    ("diacritics", "zurich", None),
    ("phrase", '"machine learning"', None),
    ("type-ahead 3 chars", "pho", None),
    ("type-ahead 2 chars", "ba", None),
    ("type-ahead 2 words", "neural net", None),
    ("rare word", "kalomi", None),
    ("no match", "xylophone", None),
    ("hostile", 'NEAR( "AND" *:& \\', None),
    ("common, ids list 10%", "sensor", "list"),
    ("common, ids select 10%", "sensor", "select"),
]


def seed(n: int, batch: int = 2000) -> float:
    generator = TextGenerator()
    started = time.perf_counter()
    for doc_id in range(1, n + 1):
        search.index_document("technology", doc_id, **generator.document())
        if doc_id % batch == 0:
            db.session.commit()
            print(f"\r  indexed {doc_id:,}", end="", flush=True)
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


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def bench(url: str, label: str, docs: int, runs: int) -> None:
    app = create_app("testing", {"DATABASE_URL": url})
    with app.app_context():
        upgrade()
        print(f"{label}: seeding {docs:,} documents")
        seconds = seed(docs)
        print(f"  seeded in {seconds:.0f} s ({seconds / docs * 1000:.2f} ms per document)")
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE search_document"))

        rng = random.Random(7)
        allowed = rng.sample(range(1, docs + 1), docs // 10)
        allowed_select = sa.select(SearchDocument.doc_id).where(SearchDocument.doc_id % 10 == 3)

        def baseline() -> None:
            start = rng.randint(1, max(1, docs - 20))
            db.session.execute(
                sa.select(SearchDocument.id, SearchDocument.doc_id, SearchDocument.title)
                .where(SearchDocument.id.between(start, start + 19))
                .order_by(SearchDocument.id)
            ).all()

        base = timed(baseline, runs)
        base_median = statistics.median(base)
        print(f"  baseline (PK select of 20 rows): median {base_median:.2f} ms, p95 {p95(base):.2f} ms")
        header = f"{'query':<26} {'hits':>5} {'total':>6} {'median ms':>10} {'p95 ms':>8}"
        print(f"  {header} {'x base':>7} {'p95 x':>7}")
        worst = 0.0
        for name, query, restriction in QUERIES:
            ids = {"list": allowed, "select": allowed_select}.get(restriction or "")
            result = search.search("technology", query, ids=ids)
            samples = timed(lambda q=query, i=ids: search.search("technology", q, ids=i), runs)
            median, high = statistics.median(samples), p95(samples)
            worst = max(worst, high)
            total = f"{result.total}{'' if result.total_exact else '+'}"
            print(
                f"  {name:<26} {len(result.hits):>5} {total:>6} {median:>10.2f} {high:>8.2f}"
                f" {median / base_median:>7.0f} {high / base_median:>7.0f}"
            )
        db.session.rollback()
        print(f"  worst p95: {worst:.1f} ms (budget 30 ms) -> {'within' if worst < 30 else 'OVER'} budget")
        if dialect == "sqlite":
            match = search.fts5_query(search.parse_query("sensor"))
            plan = db.session.execute(
                sa.text(
                    "EXPLAIN QUERY PLAN SELECT d.id FROM search_document_fts JOIN search_document d "
                    "ON d.id = search_document_fts.rowid WHERE search_document_fts MATCH :m "
                    "AND d.index_name = 'technology' AND d.doc_id IN (SELECT doc_id FROM search_document "
                    "WHERE doc_id % 10 = 3) ORDER BY bm25(search_document_fts) LIMIT 20"
                ),
                {"m": match},
            ).all()
            print("  plan (ids select):", " | ".join(row[-1] for row in plan))
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to benchmark as well")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()

    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{tmp}/search-bench.db", "SQLite (FTS5)", args.docs, args.runs)
    if args.postgres:
        url = sa.engine.make_url(args.postgres.replace("postgresql://", "postgresql+psycopg://", 1))
        name = "liaison_search_bench"
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            bench(
                url.set(database=name).render_as_string(hide_password=False),
                "PostgreSQL (tsvector + GIN)",
                args.docs,
                args.runs,
            )
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
