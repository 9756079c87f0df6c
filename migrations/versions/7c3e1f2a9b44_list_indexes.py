"""indexes for the console lists: newest-first registers, the application queue, account owners

Revision ID: 7c3e1f2a9b44
Revises: 5b7e2c9d4a10
Create Date: 2026-12-02 06:30:00

"""

from alembic import op

revision = "7c3e1f2a9b44"
down_revision = "5b7e2c9d4a10"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_agreement_created_at_id", "agreement", ["created_at", "id"]),
    ("ix_user_created_at_id", "user", ["created_at", "id"]),
    ("ix_organisation_created_at_id", "organisation", ["created_at", "id"]),
    ("ix_organisation_account_owner_id", "organisation", ["account_owner_id"]),
    ("ix_application_submitted_at", "application", ["submitted_at"]),
    ("ix_audit_event_target", "audit_event", ["target_type", "target_id"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
