"""Full-text search: ranking, type-ahead, diacritics, visibility, re-indexing and hostile input,
the same on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from portal.core import search
from portal.core.models import SearchDocument
from portal.extensions import db

FILLER = [
    ("Water purification membrane", "Low-cost filtration for rural areas.", "Ceramic pores remove bacteria."),
    ("Protein folding predictor", "Structure from sequence.", "Deep networks trained on crystal data."),
    (
        "Wind turbine blade coating",
        "Less erosion at the leading edge.",
        "Polyurethane layers tested offshore.",
    ),
    ("Soil moisture probe", "Cheap probes for irrigation.", "Capacitive electrodes buried at depth."),
    ("Quantum dot display", "Brighter colours at lower power.", "Cadmium-free nanocrystals."),
    ("Bridge fatigue monitor", "Early warning of cracks.", "Acoustic emission on steel girders."),
]


@pytest.fixture
def corpus(ctx):
    for i, (title, summary, body) in enumerate(FILLER, start=100):
        search.index_document("technology", i, title=title, summary=summary, body=body)
    db.session.flush()


def ids(result: search.SearchResult) -> list[int]:
    return [hit.doc_id for hit in result.hits]


def test_a_title_match_outranks_a_summary_match_outranks_a_body_match(corpus):
    search.index_document("technology", 1, title="Coastal radar", summary="", body="Uses graphene antennas.")
    search.index_document("technology", 2, title="Graphene supercapacitor", summary="Fast charging.", body="")
    search.index_document("technology", 3, title="Battery recycling", summary="Recovers graphene flakes.")
    result = search.search("technology", "graphene ")
    assert ids(result) == [2, 3, 1]
    assert result.total == 3 and result.total_exact
    assert result.hits[0].rank > result.hits[1].rank > result.hits[2].rank


def test_every_word_must_match(corpus):
    search.index_document("technology", 1, title="Graphene battery")
    search.index_document("technology", 2, title="Graphene sensor")
    assert ids(search.search("technology", "graphene battery ")) == [1]
    assert ids(search.search("technology", "battery graphene ")) == [1]


def test_the_last_word_is_a_prefix_for_type_ahead(corpus):
    search.index_document("technology", 1, title="Piezoelectric sensors for bridges")
    assert ids(search.search("technology", "piezo")) == [1]
    assert ids(search.search("technology", "sens")) == [1]
    assert ids(search.search("technology", "bridges piez")) == [1]
    # a finished word (followed by a space) is no prefix, nor is an earlier word
    assert ids(search.search("technology", "piezo ")) == []
    assert ids(search.search("technology", "piez bridges")) == []


def test_a_single_letter_is_not_a_prefix(corpus):
    search.index_document("technology", 1, title="Xenon lamp")
    assert ids(search.search("technology", "x")) == []
    search.index_document("technology", 2, title="X ray source")
    assert ids(search.search("technology", "x")) == [2]


def test_phrases_keep_their_word_order(corpus):
    search.index_document("technology", 1, title="Drug delivery by nanoparticles")
    search.index_document("technology", 2, title="Delivery robots and drug stores")
    assert ids(search.search("technology", '"drug delivery"')) == [1]
    assert sorted(ids(search.search("technology", "drug delivery "))) == [1, 2]
    assert ids(search.search("technology", '"drug deliv')) == [1]  # an open phrase is typed ahead
    search.index_document("technology", 3, title="Self-driving tractors")
    assert ids(search.search("technology", "self-driving")) == [3]
    assert ids(search.search("technology", "self driving")) == [3]


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Zürich traffic model", "Zurich"),
        ("Zurich traffic model", "Zürich"),
        ("Café culture sensors", "CAFE"),
        ("Straße lighting", "strasse"),
        ("Ångström-scale coatings", "angstrom"),
        ("Łódź textile lab", "lodz"),
        ("Zu\u0308rich decomposed", "zürich"),  # combining diaeresis in the document
        ("ﬁbre optics", "fibre"),  # ligature
        ("Øresund Bridge monitor", "oresund"),
        ("Encyclopædia of materials", "encyclopaedia"),
    ],
)
def test_diacritics_and_case_are_ignored(corpus, text, query):
    search.index_document("technology", 1, title=text)
    result = search.search("technology", query)
    assert ids(result) == [1]
    assert "<mark>" in result.hits[0].title


def test_ids_restrict_hits_counts_and_snippets(corpus):
    search.index_document("technology", 1, title="Graphene ink", summary="Printable graphene.")
    search.index_document("technology", 2, title="Graphene canary", summary="CANARY-SECRET graphene.")
    search.index_document("technology", 3, title="Graphene filter", summary="Graphene membranes.")
    for allowed in (
        [1, 3],
        {1, 3},
        (3, 1),
        sa.select(SearchDocument.doc_id).where(SearchDocument.doc_id.in_([1, 3])),
    ):
        result = search.search("technology", "graphene", ids=allowed)
        assert sorted(ids(result)) == [1, 3]
        assert result.total == 2
        rendered = " ".join(str(hit.title) + str(hit.snippet) for hit in result.hits)
        assert "canary" not in rendered.lower()
    assert ids(search.search("technology", "canary", ids=[1, 3])) == []
    assert search.search("technology", "graphene", ids=[]).hits == []
    assert search.search("technology", "graphene", ids=[]).total == 0
    assert ids(search.search("technology", "graphene", ids=[2])) == [2]


def test_the_count_is_not_limited_by_the_page_but_by_the_cap(corpus, monkeypatch):
    for i in range(1, 8):
        search.index_document("technology", i, title=f"Photonic chip {i}")
    page = search.search("technology", "photonic", limit=3)
    assert len(page.hits) == 3 and page.total == 7 and page.total_exact
    second = search.search("technology", "photonic", limit=3, offset=3)
    assert len(second.hits) == 3 and not set(ids(page)) & set(ids(second))
    last = search.search("technology", "photonic", limit=3, offset=6)
    assert len(last.hits) == 1 and last.total == 7
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    capped = search.search("technology", "photonic", limit=3)
    assert capped.total == 5 and not capped.total_exact


def test_indexes_are_separate(corpus):
    search.index_document("technology", 1, title="Graphene battery")
    search.index_document("challenge", 1, title="We need a graphene supplier")
    assert ids(search.search("technology", "supplier")) == []
    assert ids(search.search("challenge", "graphene")) == [1]


def test_indexing_again_replaces_the_document(corpus):
    search.index_document("technology", 1, title="Old title about lasers", body="obsolete words")
    search.index_document("technology", 1, title="New title about magnets", body="fresh words")
    search.index_document("technology", 1, title="New title about magnets", body="fresh words")
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SearchDocument)
            .where(SearchDocument.index_name == "technology", SearchDocument.doc_id == 1)
        )
        == 1
    )
    assert ids(search.search("technology", "lasers")) == []
    assert ids(search.search("technology", "obsolete")) == []
    assert ids(search.search("technology", "magnets")) == [1]
    assert search.search("technology", "words").total == 1


def test_remove(corpus):
    search.index_document("technology", 1, title="Graphene battery")
    search.index_document("technology", 2, title="Graphene sensor")
    search.remove_document("technology", 1)
    search.remove_document("technology", 1)  # idempotent
    search.remove_document("technology", 999)
    assert ids(search.search("technology", "graphene")) == [2]
    assert ids(search.search("technology", "battery")) == []
    search.index_document("technology", 1, title="Graphene battery, back again")
    assert sorted(ids(search.search("technology", "graphene"))) == [1, 2]


def test_works_inside_savepoints(corpus):
    search.index_document("technology", 1, title="Graphene battery")
    nested = db.session.begin_nested()
    search.index_document("technology", 1, title="Rolled back title")
    search.index_document("technology", 2, title="Rolled back graphene")
    nested.rollback()
    assert ids(search.search("technology", "graphene")) == [1]
    assert ids(search.search("technology", "rolled")) == []


HOSTILE = [
    "",
    " ",
    None,
    '"',
    '""',
    '"""',
    "*",
    "**",
    "a*",
    "NEAR(",
    "NEAR(graphene battery, 2)",
    "AND OR NOT",
    "graphene AND",
    "NOT graphene",
    "'",
    "''",
    "\\",
    "\\'",
    ":",
    "title:graphene",
    "title : graphene",
    "&|!",
    "graphene & battery | !sensor",
    "(graphene",
    "graphene)",
    "<->",
    "graphene <-> battery",
    "graphene:*",
    "graphene:A",
    "{title}: graphene",
    "^graphene",
    "+graphene -battery",
    "-",
    "%",
    "_",
    "\x00",
    "graphene\x00battery",
    "\u200b",
    "🙂",
    "🙂 graphene 🙂",
    "👩‍🔬",
    "x" * 10_000,
    "graphene " * 2_000,
    '" ' * 5_000,
    "\ud800",  # lone surrogate
    "' OR 1=1 --",
    "'; DROP TABLE search_document; --",
    "ﷺ",
    "中文 技术",
    "١٢٣",
    "ǅ",
]


@pytest.mark.parametrize("query", HOSTILE, ids=[repr(q)[:40] for q in HOSTILE])
def test_hostile_queries_never_raise(corpus, query):
    search.index_document("technology", 1, title="Graphene battery", body="NEAR and NOT or title")
    result = search.search("technology", query)
    assert isinstance(result, search.SearchResult)
    assert result.total == len(result.hits) or not result.total_exact or result.total >= len(result.hits)
    search.search("technology", query, ids=[1], limit=5, offset=5)
    db.session.execute(sa.select(1))  # the transaction is still usable


def test_empty_and_meaningless_queries_have_no_hits(corpus):
    for query in ["", "   ", "*", '""', "🙂", "&|!", None]:
        result = search.search("technology", query)
        assert result.hits == [] and result.total == 0 and not result


def test_operators_are_plain_words(corpus):
    search.index_document("technology", 1, title="Graphene battery")
    search.index_document("technology", 2, title="Graphene and battery and NOT nothing")
    assert ids(search.search("technology", "graphene NOT battery")) == [2]
    assert ids(search.search("technology", "title:graphene")) == []


def test_snippets_are_escaped_and_mark_the_matches(corpus):
    search.index_document(
        "technology",
        1,
        title="Sensor <b>bold</b> & co",
        summary='A <script>alert("x")</script> sensor for "quotes" & ampersands.',
    )
    hit = search.search("technology", "sensor").hits[0]
    assert isinstance(hit.snippet, Markup) and isinstance(hit.title, Markup)
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>sensor</mark>" in hit.snippet
    assert hit.title == Markup("<mark>Sensor</mark> &lt;b&gt;bold&lt;/b&gt; &amp; co")
    hit = search.search("technology", "script").hits[0]
    assert "&lt;<mark>script</mark>&gt;" in hit.snippet


def test_snippets_show_a_window_around_the_matches(corpus):
    words = [f"filler{i}" for i in range(200)]
    words[150] = "Magnetocaloric"
    search.index_document("technology", 1, title="Fridge", body=" ".join(words))
    hit = search.search("technology", "magnetocaloric").hits[0]
    assert "<mark>Magnetocaloric</mark>" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet.split()) <= search.SNIPPET_WORDS + 2
    # a title-only match shows the start of the summary
    search.index_document("technology", 2, title="Magnetocaloric pump", summary=" ".join(words))
    hit = search.search("technology", "pump").hits[0]
    assert hit.snippet.startswith("filler0 ")


def test_invalid_index_names_are_a_programming_error(ctx):
    with pytest.raises(ValueError, match="index name"):
        search.index_document("Tech nology", 1, title="x")
    with pytest.raises(ValueError, match="index name"):
        search.search("", "x")


def test_limits_are_clamped(corpus):
    for i in range(1, 4):
        search.index_document("technology", i, title=f"Graphene {i}")
    assert len(search.search("technology", "graphene", limit=0).hits) == 1
    assert len(search.search("technology", "graphene", limit=10**9).hits) == 3
    assert search.search("technology", "graphene", offset=-5).total == 3


def test_query_parsing():
    terms = search.parse_query('Zürich "drug delivery" self-driving sens')
    assert terms == [
        search.Term(("zurich",)),
        search.Term(("drug", "delivery")),
        search.Term(("self", "driving")),
        search.Term(("sens",), prefix=True),
    ]
    assert search.fts5_query(terms) == '"zurich" AND "drug" + "delivery" AND "self" + "driving" AND "sens"*'
    assert (
        search.tsquery(terms) == "('zurich') & ('drug' <-> 'delivery') & ('self' <-> 'driving') & ('sens':*)"
    )
    assert len(search.parse_query("a " * 100)) == 1  # duplicates collapse
    assert len(search.parse_query(" ".join(f"w{i}" for i in range(100)))) == search.MAX_TERMS


def test_indexed_text_is_the_folded_words():
    assert (
        search.indexed_text("Zürich, ĲSSEL-Straße 12, Øresund ½!") == "zurich ijssel strasse 12 oresund 1 2"
    )
    assert search.fold_words("a" * 61 + " ok") == ["ok"]


def test_many_documents_sanity(corpus):
    """Not a timing test: a few hundred documents index and search without surprises."""
    for i in range(1, 301):
        search.index_document("technology", i, title=f"Technology {i}", body=f"common word{i % 7}")
    result = search.search("technology", "common", limit=20)
    assert len(result.hits) == 20 and result.total == 300
    assert search.search("technology", "word3 common").total == len([i for i in range(1, 301) if i % 7 == 3])


def test_broad_queries_rank_a_bounded_number_of_candidates(corpus, monkeypatch):
    for i in range(1, 11):
        search.index_document("technology", i, title="Plain", body=f"photonic item {i}")
    search.index_document("technology", 11, title="Photonic photonic", body="photonic")
    exact = search.search("technology", "photonic", limit=3)
    assert ids(exact)[0] == 11 and exact.total == 11
    monkeypatch.setattr(search, "RANK_CANDIDATES", 5)
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    bounded = search.search("technology", "photonic", limit=20)
    assert len(bounded.hits) == 5 and bounded.total == 5 and not bounded.total_exact
    ranks = [hit.rank for hit in bounded.hits]
    assert ranks == sorted(ranks, reverse=True)
    # the restriction applies before the bound: only allowed documents are candidates
    restricted = search.search("technology", "photonic", ids=[11, 3])
    assert ids(restricted) == [11, 3]
    monkeypatch.setattr(search, "RANK_CANDIDATES", None)
    assert ids(search.search("technology", "photonic", limit=1)) == [11]
