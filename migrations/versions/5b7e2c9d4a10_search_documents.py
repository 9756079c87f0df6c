"""search documents: one table of indexed text, with the engine's full-text index beside it

SQLite: the FTS5 virtual table search_document_fts (rowid = search_document.id). PostgreSQL:
the tsvector column search_document.search_vector and its GIN index. Both are filled by
portal.core.search (text folded in Python) and kept out of autogenerate by
portal.core.search.include_in_autogenerate (migrations/env.py).

Revision ID: 5b7e2c9d4a10
Revises: 650ea256e792
Create Date: 2026-11-27 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '5b7e2c9d4a10'
down_revision = '650ea256e792'
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    vector = [sa.Column('search_vector', postgresql.TSVECTOR(), server_default=sa.text("''::tsvector"), nullable=False)] if postgres else []
    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('index_name', sa.String(length=40), nullable=False),
    sa.Column('doc_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    *vector,
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    sa.UniqueConstraint('index_name', 'doc_id', name=op.f('uq_search_document_index_name_doc_id'))
    )
    if postgres:
        op.create_index('ix_search_document_search_vector', 'search_document', ['search_vector'], unique=False, postgresql_using='gin')
    else:
        # Words arrive folded (no diacritics, case folded); unicode61 with remove_diacritics 2 is a
        # second guard. Prefix indexes of 2 and 3 characters serve type-ahead.
        op.execute(
            "CREATE VIRTUAL TABLE search_document_fts USING fts5("
            "title, summary, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_search_document_search_vector', table_name='search_document', postgresql_using='gin')
    else:
        op.execute("DROP TABLE search_document_fts")
    op.drop_table('search_document')
