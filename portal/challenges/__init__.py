"""R&D challenges (the "technology pull"): a partner brings a problem, staff screen it, share it
with researchers or open it as an anonymised call, propose technologies and experts from matching,
and an accepted proposal becomes a licensing lead or a collaboration agreement."""
