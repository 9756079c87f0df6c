"""From invention disclosure to licence and spin-off (issue 14): disclosures by researchers, staff
assessment, IP records with their deadlines, the listing made from a disclosure, licences, spin-offs
and the lineage that joins them. Researchers' pages live in `routes/` (/inventions); the console's in
`admin/views/innovation.py`; the rules in `services/`."""
