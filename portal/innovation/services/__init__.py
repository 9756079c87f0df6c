"""The innovation rules, by module: `disclosures` (drafts, shares, submission, confirmations, files,
who sees what, lineage reads), `assessment`, `ip_records` (patent families, applications,
copyright and know-how, the IP calendar), `deadlines` (pure date rules), `reminders`, `to_market`.
Services take explicit arguments, flush, never commit."""
