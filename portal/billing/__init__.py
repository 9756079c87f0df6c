"""Stripe: `gateway.py` (the only module that imports stripe), the event and checkout bookkeeping
(`models.py`, `events.py`) and the webhook. The card use cases live in `membership/card.py`."""
