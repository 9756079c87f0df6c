"""Card payments through Stripe. `gateway.py` is the only module that imports stripe."""
