"""Partnership development (issue 13): collaboration models and enquiries, the acquisition pipeline,
interactions and tasks, renewal risk, the programme's KPIs and the funder report.

Staff-only apart from the public collaboration pages (`routes/`, /collaborate). The console pages
live in `admin/views/` (the console's one blueprint); the rules live here in `services/`.
"""
