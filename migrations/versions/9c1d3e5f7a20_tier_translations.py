"""tiers carry their description and benefits in French and German

Revision ID: 9c1d3e5f7a20
Revises: 5b7e9c2d4f18
Create Date: 2026-12-03 10:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9c1d3e5f7a20"
down_revision = "5b7e9c2d4f18"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tier") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=False, server_default="{}"))


def downgrade():
    with op.batch_alter_table("tier") as batch:
        batch.drop_column("translations")
