"""Events between areas, so that a lower layer never imports a higher one.

A lower area sends (``signals.agreements.executed.send(agreement)``); a higher area connects a
receiver at import time of its own ``signals`` module (``portal/<area>/receivers.py``). Blinker,
which Flask already ships, with Indico's ``signals.<area>.<event>`` naming. Receivers run inside
the sender's transaction: they flush, never commit.

Questions a lower area asks a higher one (``signals.partners.seat_limit``) are signals too: the
sender collects the receivers' return values with :func:`values`.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal

_signals = Namespace()


class agreements:
    executed: Signal = _signals.signal(
        "agreements.executed",
        doc="An agreement was countersigned (or signed, if no countersignature "
        "is needed) and is now in force. Sender: the Agreement.",
    )
    partner_signatory: Signal = _signals.signal(
        "agreements.partner_signatory",
        doc="Who signs for this organisation? Sender: the Organisation; receivers return "
        "(full name, title) or None. The first answer wins.",
    )
    agreement_tier: Signal = _signals.signal(
        "agreements.agreement_tier",
        doc="Which membership tier is this agreement for? Sender: the Agreement; receivers return "
        "the tier's id, or None. The first answer wins (a standing countersignature is per tier).",
    )


class partners:
    seat_limit: Signal = _signals.signal(
        "partners.seat_limit",
        doc="How many users may this organisation have? Sender: the Organisation; receivers return an "
        "int, or None for no opinion. The smallest answer wins; no answer means no limit.",
    )


def values(signal: Signal, sender: Any, **kwargs: Any) -> list[Any]:
    """The receivers' answers, leaving out those that returned None."""
    return [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]
