"""The per-process term index follows the catalog: an edited, added or unpublished listing is
matched as it is now, not as it was when the index was built."""

from __future__ import annotations

from portal.catalog import services as catalog
from portal.catalog.models import TechnologyStatus
from portal.extensions import db
from portal.matching import services as matching


def titles(text: str) -> list[str]:
    return [m.obj.title for m in matching.match_text(text, viewer=matching.CLI_VIEWER).technologies]


def test_an_edit_a_new_listing_and_an_unpublished_one_show_at_the_next_call(ctx):
    first = catalog.create_technology(
        catalog.TechnologyData(title="Quiet hydrophone array", benefit="Hears whales."),
        status=TechnologyStatus.PUBLISHED,
    )
    assert titles("whales hydrophone") == ["Quiet hydrophone array"]

    first.title = "Loud hydrophone array"
    db.session.flush()
    assert titles("whales hydrophone") == ["Loud hydrophone array"]

    catalog.create_technology(
        catalog.TechnologyData(title="Whale song classifier", benefit="Names the whale."),
        status=TechnologyStatus.PUBLISHED,
    )
    assert set(titles("whales")) == {"Loud hydrophone array", "Whale song classifier"}

    first.status = TechnologyStatus.DRAFT
    db.session.flush()
    assert titles("whales hydrophone") == ["Whale song classifier"]
