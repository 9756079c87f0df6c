"""Catalog use cases: the disclosure ladder, writing listings, search. Services take plain
arguments, flush, and never commit; the caller commits once per use case."""

from .ladder import (
    VISITOR,
    Level,
    Viewer,
    level_of,
    listed_filter,
    tiers_offering,
    viewer_context,
    visible_ids,
)
from .listings import (
    DETAIL_INDEX,
    TEASER_INDEX,
    TechnologyData,
    create_technology,
    index_technology,
    set_status,
    update_technology,
)
from .search import CatalogQuery, CatalogResults, find, parse, query_params

__all__ = [
    "DETAIL_INDEX",
    "TEASER_INDEX",
    "VISITOR",
    "CatalogQuery",
    "CatalogResults",
    "Level",
    "TechnologyData",
    "Viewer",
    "create_technology",
    "find",
    "index_technology",
    "level_of",
    "listed_filter",
    "parse",
    "query_params",
    "set_status",
    "tiers_offering",
    "update_technology",
    "viewer_context",
    "visible_ids",
]
