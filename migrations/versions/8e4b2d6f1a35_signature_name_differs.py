"""signatures record whether the signer confirmed a name unlike their account's

Revision ID: 8e4b2d6f1a35
Revises: 2234298db068
Create Date: 2026-12-02 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "8e4b2d6f1a35"
down_revision = "2234298db068"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agreement_signature") as batch:
        batch.add_column(sa.Column("name_differs", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("agreement_signature") as batch:
        batch.drop_column("name_differs")
