"""The CRM's tables, one module per part: `pipeline` (collaboration models, prospects and their
moves), `relations` (interactions, tasks, calendar feeds), `targets` (programme targets for the KPIs)."""

from __future__ import annotations

from .pipeline import *  # noqa: F403
from .relations import *  # noqa: F403
from .targets import *  # noqa: F403
