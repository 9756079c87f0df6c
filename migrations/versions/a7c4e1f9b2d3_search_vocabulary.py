"""search vocabulary: the words of each full-text index with their document counts (typo
correction); the catalog's newest-first index on technology.published_at

Revision ID: a7c4e1f9b2d3
Revises: f35a3b7f9e71
Create Date: 2026-12-03 13:25:00

`portal.core.search.index_document` keeps it in step; on a database indexed before this revision
`portal.core.search.rebuild_vocabulary()` fills it from search_document (the catalog, the only
index so far, is introduced by the previous revision, so there is nothing to fill in practice).
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c4e1f9b2d3"
down_revision = "f35a3b7f9e71"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_word",
        sa.Column("index_name", sa.String(length=40), nullable=False),
        sa.Column("word", sa.String(length=60), nullable=False),
        sa.Column("doc_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("index_name", "word", name=op.f("pk_search_word")),
    )
    with op.batch_alter_table("technology", schema=None) as batch_op:
        batch_op.create_index("ix_technology_published_at", ["published_at", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("technology", schema=None) as batch_op:
        batch_op.drop_index("ix_technology_published_at")
    op.drop_table("search_word")
