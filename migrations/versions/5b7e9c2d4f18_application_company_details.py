"""applications carry the company's registration number and registered address

Revision ID: 5b7e9c2d4f18
Revises: 8e4b2d6f1a35
Create Date: 2026-12-03 09:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5b7e9c2d4f18"
down_revision = "8e4b2d6f1a35"
branch_labels = None
depends_on = None

COLUMNS = (
    ("registration_number", 64),
    ("address_line1", 200),
    ("address_line2", 200),
    ("postcode", 20),
    ("city", 100),
)


def upgrade():
    with op.batch_alter_table("application") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("application") as batch:
        for name, _length in reversed(COLUMNS):
            batch.drop_column(name)
