"""catalog state: the token that tells every instance's search-results cache the catalog changed

Revision ID: c4d8e2a7f1b3
Revises: a7471790166c
Create Date: 2026-12-04 20:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4d8e2a7f1b3"
down_revision = "a7471790166c"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )
    op.bulk_insert(table, [{"id": 1, "token": "initial"}])


def downgrade():
    op.drop_table("catalog_state")
