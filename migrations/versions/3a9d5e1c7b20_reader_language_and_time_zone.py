"""reader preferences: a user's language and time zone

Revision ID: 3a9d5e1c7b20
Revises: 7c3e1f2a9b44
Create Date: 2026-12-02 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3a9d5e1c7b20"
down_revision = "7c3e1f2a9b44"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("locale")
