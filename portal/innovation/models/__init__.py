"""The innovation area's tables, one module per part: `disclosures` (invention disclosures, their
inventors and assessments), `ip` (patent families, applications, copyright and know-how records,
deadlines and reminders), `licensing` (licences, their reporting duties, spin-offs)."""

from __future__ import annotations

from .disclosures import *  # noqa: F403
from .ip import *  # noqa: F403
from .licensing import *  # noqa: F403
