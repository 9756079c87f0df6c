"""Matching quality on the labelled set (tests/data/matching_labelled.json) against the seeded
demo catalog: the chosen method finds the relevant listings in its first five, in English, French
and German; and the CLI prints the same ranking as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from portal.catalog.demo_data import seed_catalog
from portal.matching import services as matching
from portal.matching.evaluation import evaluate, load_pairs

LABELLED = Path(__file__).resolve().parent.parent / "data" / "matching_labelled.json"
RECALL_BAR = 0.8


def ranked(text: str) -> list[str]:
    result = matching.match_text(text, viewer=matching.CLI_VIEWER, limit=10, researchers=False)
    return [m.obj.reference for m in result.technologies]


def test_the_labelled_set_is_the_one_the_issue_asks_for():
    pairs = load_pairs(LABELLED)
    languages = [p.lang for p in pairs]
    assert len(pairs) >= 40 and len({p.id for p in pairs}) == len(pairs)
    assert languages.count("fr") >= len(pairs) // 5 - 1 and languages.count("de") >= len(pairs) // 5 - 1
    assert sum(1 for p in pairs if len(p.relevant) > 1) >= 3
    assert sum(1 for p in pairs if p.held_out) == 10


def test_top_5_recall_of_the_chosen_method_reaches_the_bar(ctx):
    seed_catalog()
    pairs = load_pairs(LABELLED)
    report = evaluate(ranked, pairs)
    misses = "; ".join(f"{pid}: {top}" for pid, top in report.misses)
    assert report.recall_at_5 >= RECALL_BAR, (
        f"recall@5 {report.recall_at_5:.3f} (MRR {report.mrr:.3f}, nDCG@10 {report.ndcg_at_10:.3f}); "
        f"missed: {misses}"
    )
    for language in ("fr", "de"):  # a French or German challenge finds the English listing
        subset = evaluate(ranked, [p for p in pairs if p.lang == language])
        assert subset.recall_at_5 >= RECALL_BAR, (
            f"{language}: recall@5 {subset.recall_at_5:.3f}, MRR {subset.mrr:.3f}"
        )


def test_the_cli_prints_the_ranking_as_json(app, ctx):
    seed_catalog()
    text = "Notre entrepôt perd des palettes, le GPS ne marche pas à l'intérieur"
    result = app.test_cli_runner().invoke(args=["portal", "match", "--text", text, "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    technologies = [r for r in rows if r["kind"] == "technology"]
    people = [r for r in rows if r["kind"] == "researcher"]
    assert technologies[0]["reference"] == "NIT-2025-032" and technologies[0]["name"].startswith(
        "Indoor positioning"
    )
    assert len(technologies) <= 3 and len(people) <= 3
    assert "Ana Sousa" in [p["name"] for p in people]  # indoor localisation, a staff-level view
    for row in rows:
        assert set(row) == {"kind", "reference", "name", "score", "reasons"}
        assert 0 < row["score"] <= 100 and row["reasons"][0].startswith("Shared terms:")
    assert technologies == sorted(technologies, key=lambda r: -r["score"])

    table = app.test_cli_runner().invoke(args=["portal", "match", "--text", text])
    assert table.exit_code == 0 and "NIT-2025-032" in table.output


def test_the_cli_with_nothing_to_match_prints_an_empty_list(app, ctx):
    result = app.test_cli_runner().invoke(args=["portal", "match", "--text", "the and of", "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_the_cli_matches_a_challenge_by_id_or_reference(app, ctx):
    from ..challenges.helpers import entitled, submitted

    seed_catalog()
    user = entitled()
    challenge = submitted(
        user,
        title="Pallets get lost inside our warehouse",
        problem="GPS does not work indoors and our forklifts cannot tell where a pallet was left.",
        desired_outcome="Find any pallet within a metre.",
        constraints="No new wiring in the hall.",
    )
    runner = app.test_cli_runner()
    by_id = runner.invoke(args=["portal", "match", "--challenge", str(challenge.id), "--json"])
    by_reference = runner.invoke(args=["portal", "match", "--challenge", challenge.reference, "--json"])
    assert by_id.exit_code == 0, by_id.output
    assert json.loads(by_id.output) == json.loads(by_reference.output)
    assert json.loads(by_id.output)[0]["reference"] == "NIT-2025-032"  # indoor positioning
    assert runner.invoke(args=["portal", "match", "--challenge", "C-1999-0001"]).exit_code != 0
    assert runner.invoke(args=["portal", "match"]).exit_code != 0  # neither --text nor --challenge
