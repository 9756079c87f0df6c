"""Matchmaking: the options measured on the labelled set, and the chosen one at 10,000 listings.

    .venv/bin/python benchmarks/matching.py                       # quality table + scale on SQLite
    .venv/bin/python benchmarks/matching.py --postgres postgresql://postgres@127.0.0.1:5432/liaison_bench_matching
    .venv/bin/python benchmarks/matching.py --extra-path /tmp/benchpkgs   # where scikit-learn and
                                                                  # wordllama were pip-installed (--target)
    .venv/bin/python benchmarks/matching.py --quality-only --no-write

Quality: a scratch SQLite database built by the migrations, the demo catalog seeded
(portal.catalog.demo_data.seed_catalog), every pair of tests/data/matching_labelled.json ranked
by each option as a staff reader sees the catalog (listed technologies, first look included),
top 10 kept. Printed and written to docs/benchmarks.md ("Matchmaking"): top-5 recall, MRR and
nDCG@10 on all pairs, on the pairs used while tuning, on the 10 held-out pairs and on the French
and German pairs, with the median and p95 time of one query (the set-up of an option, such as
fitting a vectoriser or embedding the catalog, is timed apart).

Options (those whose packages are not importable are reported as skipped):
- a0 `core.search.search` as the catalog search calls it (every word must match: AND);
- a  BM25 over the catalog's search index: FTS5 bm25 (title 10, summary 4, body 1) with the
     text's folded words OR-ed, SQLite only;
- b  BM25 with the concept list (English, French, German), stemming, compound splitting and
     field weights: `match_text(method="bm25")`, the chosen method;
- b1 b with the concept list emptied (what the vocabulary brings; its latency includes
     rebuilding the index per call);
- c0 the first TF-IDF concept matcher, as it was before this work (git 6164774);
- c  TF-IDF cosine over the same terms as b: `match_text(method="tfidf")`;
- d  scikit-learn TfidfVectorizer (word unigrams, accents stripped, sublinear tf) over the same
     weighted fields; d2 the same with b's terms as its analyser;
- e  wordllama (static token embeddings, weights in the wheel), cosine of the mean embeddings.

Scale (`--scale-docs`, 10,000 by default): the same migrations in a scratch SQLite file and, with
--postgres, in that database (dropped and created afresh), 10,000 published technologies bulk
inserted (texts recombined from the demo listings), then per engine: a bare SELECT of the rows
the matcher reads (the baseline), the first `match_text` (builds the per-process term index),
warm `match_text` calls over the labelled texts (p50, p95, ratio to the baseline, spread), and
`match_text` with the index cache cleared before each call (what the first call after a catalog
change costs: the bags of unchanged rows are kept, the inverted index is rebuilt).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.catalog import services as catalog  # noqa: E402
from portal.catalog.demo_data import TECHNOLOGIES, seed_catalog  # noqa: E402
from portal.catalog.models import Domain, Technology, TechnologyStatus  # noqa: E402
from portal.catalog.services.listings import DETAIL_INDEX  # noqa: E402
from portal.core import search  # noqa: E402
from portal.core.search import fold_words  # noqa: E402
from portal.core.types import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.matching import services as matching  # noqa: E402
from portal.matching.evaluation import Report, evaluate, load_pairs  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "matching_labelled.json"
DOCS = ROOT / "docs" / "benchmarks.md"
MIGRATIONS = ROOT / "migrations"
AS_FOUND = "6164774"  # the commit of the first matcher
VIEWER = matching.CLI_VIEWER
TOP = 10


def make_app(url: str):
    return create_app("testing", {"DATABASE_URL": url})


# --- options --------------------------------------------------------------------------------------


def references() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Technology.id, Technology.reference)).tuples().all())


def option_core_search():
    refs = references()
    visible = catalog.visible_ids(VIEWER)

    def rank(text):
        return [refs[h.doc_id] for h in search.search(DETAIL_INDEX, text, limit=TOP, ids=visible).hits]

    return rank


def option_fts5_or():
    if db.engine.dialect.name != "sqlite":
        return None
    refs = references()
    ids = set(db.session.scalars(catalog.visible_ids(VIEWER)))
    statement = sa.text(
        "SELECT d.doc_id FROM search_document_fts f CROSS JOIN search_document d ON d.id = f.rowid "
        "WHERE search_document_fts MATCH :q AND d.index_name = :index "
        "ORDER BY bm25(search_document_fts, 10.0, 4.0, 1.0) LIMIT 200"
    )

    def rank(text):
        words = sorted(set(fold_words(text)))
        if not words:
            return []
        query = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = db.session.scalars(statement, {"q": query, "index": DETAIL_INDEX})
        return [refs[i] for i in rows if i in ids][:TOP]

    return rank


def option_match_text(method: str):
    def rank(text):
        result = matching.match_text(text, viewer=VIEWER, limit=TOP, researchers=False, method=method)
        return [m.obj.reference for m in result.technologies]

    return rank


def option_as_found():
    """The first matcher, loaded from git into a throwaway module (its relative imports made absolute)."""
    try:
        sources = {
            name: subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{AS_FOUND}:portal/matching/{name}.py"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for name in ("concepts", "services")
        }
    except (OSError, subprocess.CalledProcessError):
        return None
    concepts = types.ModuleType("as_found_concepts")
    exec(compile(sources["concepts"], "as_found_concepts", "exec"), concepts.__dict__)
    sys.modules["as_found_concepts"] = concepts
    code = re.sub(r"from \.\.(\w+)", r"from portal.\1", sources["services"]).replace(
        "from .concepts", "from as_found_concepts"
    )
    module = types.ModuleType("as_found_services")
    sys.modules["as_found_services"] = module  # dataclasses look their module up there
    exec(compile(code, "as_found_services", "exec"), module.__dict__)

    def rank(text):
        result = module.match_text(text, viewer=VIEWER, limit=TOP, researchers=False)
        return [m.obj.reference for m in result.technologies]

    return rank


def option_no_concepts():
    """b with the concept list emptied: what the vocabulary brings (stemming and compounds stay)."""
    single, multi = dict(matching._SINGLE), dict(matching._MULTI)
    inner = option_match_text("bm25")

    def rank(text):
        matching._SINGLE.clear()
        matching._MULTI.clear()
        matching._split_compound.cache_clear()
        matching._CACHE.clear()
        matching._BAGS.clear()  # the kept bags were made with the concepts
        try:
            return inner(text)
        finally:
            matching._SINGLE.update(single)
            matching._MULTI.update(multi)
            matching._split_compound.cache_clear()
            matching._CACHE.clear()
            matching._BAGS.clear()

    return rank


def weighted_texts() -> tuple[list[str], list[str], list[list[tuple[str, int]]]]:
    techs = list(
        db.session.scalars(sa.select(Technology).where(catalog.listed_filter(VIEWER)).order_by(Technology.id))
    )
    parts = [matching._technology_parts(t, True) for t in techs]
    texts = [" ".join(" ".join([text or ""] * weight) for text, weight in p) for p in parts]
    return [t.reference for t in techs], texts, parts


def option_sklearn(own_terms: bool):
    if importlib.util.find_spec("sklearn") is None:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    refs, texts, _parts = weighted_texts()
    if own_terms:
        vectorizer = TfidfVectorizer(analyzer=matching.terms, sublinear_tf=True)
    else:
        vectorizer = TfidfVectorizer(strip_accents="unicode", sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)

    def rank(text):
        scores = linear_kernel(vectorizer.transform([text]), matrix).ravel()
        order = scores.argsort()[::-1][:TOP]
        return [refs[i] for i in order if scores[i] > 0]

    return rank


def option_wordllama():
    if importlib.util.find_spec("wordllama") is None:
        return None
    import numpy as np
    import wordllama
    from wordllama import WordLlama

    # The weights and tokenizer ship in the wheel; pointing the cache at the package finds them
    # there (its own lookup misses the tokenizer), and downloads stay off.
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    refs, _texts, parts = weighted_texts()
    documents = [". ".join(text for text, _w in p if text) for p in parts]
    matrix = np.asarray(model.embed(documents, norm=True))

    def rank(text):
        query = np.asarray(model.embed([text], norm=True))[0]
        scores = matrix @ query
        return [refs[i] for i in scores.argsort()[::-1][:TOP]]

    return rank


OPTIONS = [
    ("a0", "core.search as the catalog calls it (AND of all words)", option_core_search),
    ("a", "BM25 over the search index (FTS5 bm25, words OR-ed)", option_fts5_or),
    ("b", "BM25 + concepts (en/fr/de), stemming, field weights — chosen", lambda: option_match_text("bm25")),
    ("b1", "b without the concept list (stemming only)", option_no_concepts),
    ("c0", "first TF-IDF concept matcher, as found", option_as_found),
    ("c", "TF-IDF cosine over b's terms", lambda: option_match_text("tfidf")),
    ("d", "scikit-learn TfidfVectorizer, plain words", lambda: option_sklearn(False)),
    ("d2", "scikit-learn TfidfVectorizer, b's terms as analyser", lambda: option_sklearn(True)),
    ("e", "wordllama l2_supercat 256-d static embeddings (bundled)", option_wordllama),
]


def fmt(report: Report) -> str:
    return f"{report.recall_at_5:.2f} / {report.mrr:.2f} / {report.ndcg_at_10:.2f}"


def quality() -> list[str]:
    pairs = load_pairs(LABELLED)
    subsets = {
        "all": pairs,
        "tuning": [p for p in pairs if not p.held_out],
        "held out": [p for p in pairs if p.held_out],
        "fr + de": [p for p in pairs if p.lang in ("fr", "de")],
    }
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(f"sqlite:///{folder}/matching.db")
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            seed_catalog()
            db.session.commit()
            header = (
                "| option | all: R@5 / MRR / nDCG@10 | tuning | held out (10) | French + German (18) "
                "| p50 ms | p95 ms | set-up s |"
            )
            lines = [header, "| --- | --- | --- | --- | --- | --- | --- | --- |"]
            print(header)
            for key, label, make in OPTIONS:
                started = time.perf_counter()
                try:
                    rank = make()
                except Exception as exc:
                    rank, label = None, f"{label} (failed: {type(exc).__name__}: {exc})"
                setup = time.perf_counter() - started
                if rank is None:
                    line = f"| {key} {label} | skipped (not available here) | | | | | | |"
                else:
                    rank(pairs[0].text)  # warm-up (caches, lazy imports)
                    reports = {name: evaluate(rank, subset) for name, subset in subsets.items()}
                    every = reports["all"]
                    cells = [fmt(reports[name]) for name in subsets]
                    cells += [f"{every.p50_ms:.1f}", f"{every.p95_ms:.1f}", f"{setup:.1f}"]
                    line = f"| {key} {label} | " + " | ".join(cells) + " |"
                print(line, flush=True)
                lines.append(line)
            db.session.remove()
            db.engine.dispose()
    return lines


# --- scale ----------------------------------------------------------------------------------------


def bulk_insert(n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    domains = list(db.session.scalars(sa.select(Domain.id)))
    filler = sorted({w for spec in TECHNOLOGIES for w in fold_words(spec[3] + " " + spec[4]) if len(w) > 3})
    now = utcnow()
    rows = []
    for i in range(n):
        spec = TECHNOLOGIES[rng.randrange(len(TECHNOLOGIES))]
        other = TECHNOLOGIES[rng.randrange(len(TECHNOLOGIES))]
        noise = " ".join(rng.choice(filler) for _ in range(12))
        rows.append(
            {
                "reference": f"BENCH-{i:05d}",
                "slug": f"bench-{i:05d}",
                "title": f"{spec[1]} {rng.choice(filler)}",
                "benefit": spec[2],
                "domain_id": rng.choice(domains) if domains else None,
                "trl": rng.randint(2, 8),
                "problem": f"{spec[3]} {noise}",
                "solution": f"{other[4]}",
                "advantages": list(spec[5]),
                "applications": list(other[6]),
                "keywords": [*spec[7], rng.choice(filler)],
                "patent_numbers": [],
                "licensing_options": [],
                "status": TechnologyStatus.PUBLISHED,
                "published_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    for start in range(0, n, 2000):
        db.session.execute(sa.insert(Technology), rows[start : start + 2000])
    db.session.commit()


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def scale(url: str, label: str, n: int) -> list[str]:
    app = make_app(url)
    texts = [p.text for p in load_pairs(LABELLED)]
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        upgrade(directory=str(MIGRATIONS))
        started = time.perf_counter()
        bulk_insert(n)
        insert_s = time.perf_counter() - started
        with contextlib.suppress(Exception):
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        columns = [Technology.id, Technology.title, Technology.benefit, Technology.domain_id, Technology.trl,
                   Technology.keywords, Technology.applications, Technology.problem, Technology.solution,
                   Technology.advantages]  # fmt: skip
        bare = sa.select(*columns).where(catalog.listed_filter(VIEWER)).order_by(Technology.id)
        ids = sa.select(Technology.id).where(catalog.listed_filter(VIEWER)).order_by(Technology.id)

        def match(text):
            return matching.match_text(text, viewer=VIEWER, limit=10)

        matching._CACHE.clear()
        cold = timed(lambda: match(texts[0]), 1)[0]
        baseline = timed(lambda: db.session.execute(bare).all(), 10)
        id_query = timed(lambda: db.session.scalars(ids).all(), 30)
        warm = []
        for _round in range(3):
            for text in texts:
                warm += timed(lambda text=text: match(text), 1)

        def uncached():
            matching._CACHE.clear()
            match(texts[1])

        no_cache = timed(uncached, 5)
        db.session.remove()
        db.engine.dispose()
    b50 = statistics.median(baseline)
    w50, w95 = statistics.median(warm), p95(warm)
    spread = f"{min(warm):.1f} to {max(warm):.1f}"
    lines = [
        f"| {label} | {n:,} | {b50:.1f} / {p95(baseline):.1f} | {statistics.median(id_query):.1f} "
        f"| {w50:.1f} / {w95:.1f} ({spread}) | {w50 / b50:.2f} | {cold:.0f} "
        f"| {statistics.median(no_cache):.0f} | {insert_s:.1f} |"
    ]
    print(lines[0], flush=True)
    return lines


SCALE_HEADER = [
    "| engine | technologies | bare SELECT of the rows, p50 / p95 ms | id query p50 ms "
    "| match_text warm, p50 / p95 ms (min to max) | warm p50 / bare p50 | first call ms (builds the index) "
    "| after a catalog change (index rebuilt from the kept bags), p50 ms | bulk insert s |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
]


def write(section: str) -> None:
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Matchmaking.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", help="a PostgreSQL URL for the scale run (the database is reset)")
    parser.add_argument("--scale-docs", type=int, default=10_000)
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument(
        "--extra-path", action="append", default=[], help="add to sys.path (optional packages)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/benchmarks.md")
    args = parser.parse_args()
    sys.path[1:1] = args.extra_path
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = [
        "## Matchmaking — `benchmarks/matching.py`",
        "",
        f"Run {stamp} on the shared 2-core machine (`{' '.join(sys.argv[1:]) or 'no options'}`). "
        "Method, options and the choice: [matching.md](matching.md).",
        "",
    ]
    if not args.scale_only:
        section += ["### Quality on the labelled set (51 pairs: 33 English, 9 French, 9 German)", ""]
        section += [
            "R@5 = top-5 recall, MRR, nDCG@10; latency of one query"
            " (staff view: the 57 listed of the 60 demo technologies).",
            "",
        ]
        section += [*quality(), ""]
    if not args.quality_only:
        section += [f"### The chosen method at {args.scale_docs:,} technologies", ""]
        print("\n".join(SCALE_HEADER))
        section += SCALE_HEADER
        with tempfile.TemporaryDirectory() as folder:
            section += scale(f"sqlite:///{folder}/scale.db", "SQLite", args.scale_docs)
        if args.postgres:
            section += scale(args.postgres, "PostgreSQL", args.scale_docs)
        section += [""]
    if not args.no_write:
        write("\n".join(section) + "\n")
        print(f"wrote {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
