"""Programme targets for the KPI dashboard (issue 13, item 6); an audit index for first activations

Revision ID: c3f1a9d2e7b4
Revises: d778e1cced3c
Create Date: 2026-12-04 20:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3f1a9d2e7b4"
down_revision = "d778e1cced3c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programme_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "metric",
            sa.Enum(
                "partnerships",
                "international_share",
                "countries",
                name="targetmetric",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("baseline_value", sa.Integer(), nullable=False),
        sa.Column("baseline_on", sa.Date(), nullable=False),
        sa.Column("target_value", sa.Integer(), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_programme_target_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_target")),
    )
    op.create_index(
        "ix_programme_target_metric_target_on", "programme_target", ["metric", "target_on"], unique=False
    )
    # the KPIs' first activation per organisation, read from the index alone
    op.create_index(
        "ix_audit_event_action_organisation_created",
        "audit_event",
        ["action", "organisation_id", "created_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_audit_event_action_organisation_created", table_name="audit_event")
    op.drop_index("ix_programme_target_metric_target_on", table_name="programme_target")
    op.drop_table("programme_target")
