"""Fixtures of the catalog tests: a storage folder of the test's own, a staff member, a listing."""

from __future__ import annotations

import pytest

from portal.catalog import services as catalog
from portal.core.storage import LocalStorage

from ..support.factories import commit, make_staff


@pytest.fixture
def storage(app, tmp_path):
    """The app's storage, in a folder of this test only (so its files can be counted)."""
    previous = app.extensions.get("storage")
    app.extensions["storage"] = LocalStorage(tmp_path / "storage")
    try:
        yield app.extensions["storage"]
    finally:
        if previous is None:
            app.extensions.pop("storage", None)
        else:
            app.extensions["storage"] = previous


def stored_files(storage: LocalStorage) -> list[str]:
    """Every file in the storage folder, temporary ones included."""
    return sorted(p.name for p in storage.root.iterdir()) if storage.root.is_dir() else []


@pytest.fixture
def staff(ctx):
    user = make_staff(email="catalog-officer@tto.example", full_name="Cato Officer")
    commit()
    return user


@pytest.fixture
def technology(ctx, staff):
    listing = catalog.create_technology(
        catalog.TechnologyData(title="Quantum lattice sensor", benefit="Sees lattices.", trl=4), actor=staff
    )
    commit()
    return listing
