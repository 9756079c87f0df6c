"""approval rules per tier, the denied-parties list, standing countersignatures; applications record their payment method and the rule that approved them

Revision ID: 6ad08771cb5d
Revises: 3a9d5e1c7b20
Create Date: 2026-12-02 17:00:47.077932

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "6ad08771cb5d"
down_revision = "3a9d5e1c7b20"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "approval_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tier_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("require_not_denied", sa.Boolean(), nullable=False),
        sa.Column("require_tax_number", sa.Boolean(), nullable=False),
        sa.Column("require_card", sa.Boolean(), nullable=False),
        sa.Column("account_owner_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_owner_id"],
            ["user.id"],
            name=op.f("fk_approval_rule_account_owner_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_approval_rule_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"], ["tier.id"], name=op.f("fk_approval_rule_tier_id_tier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_rule")),
    )
    with op.batch_alter_table("approval_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_rule_tier_id"), ["tier_id"], unique=False)

    op.create_table(
        "denied_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("number_key", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_denied_party_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_denied_party")),
    )
    with op.batch_alter_table("denied_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_denied_party_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_denied_party_number_key"), ["number_key"], unique=False)

    op.create_table(
        "standing_countersignature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("tier_id", sa.Integer(), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("signer_title", sa.String(length=120), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["given_by_id"],
            ["user.id"],
            name=op.f("fk_standing_countersignature_given_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user.id"],
            name=op.f("fk_standing_countersignature_revoked_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"],
            ["user.id"],
            name=op.f("fk_standing_countersignature_signer_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["agreement_template.id"],
            name=op.f("fk_standing_countersignature_template_id_agreement_template"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"],
            ["tier.id"],
            name=op.f("fk_standing_countersignature_tier_id_tier"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_countersignature")),
    )
    with op.batch_alter_table("standing_countersignature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standing_countersignature_template_id"), ["template_id"], unique=False
        )

    with op.batch_alter_table("agreement_signature", schema=None) as batch_op:
        batch_op.add_column(sa.Column("standing_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_agreement_signature_standing_id_standing_countersignature"),
            "standing_countersignature",
            ["standing_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment_method",
                sa.Enum("invoice", "card", name="paymentmethod", native_enum=False, length=32),
                server_default="invoice",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("approval_rule_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("auto_revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_application_approval_rule_id_approval_rule"),
            "approval_rule",
            ["approval_rule_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_application_approval_rule_id_approval_rule"), type_="foreignkey"
        )
        batch_op.drop_column("auto_revoked_at")
        batch_op.drop_column("approval_rule_id")
        batch_op.drop_column("payment_method")

    with op.batch_alter_table("agreement_signature", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agreement_signature_standing_id_standing_countersignature"), type_="foreignkey"
        )
        batch_op.drop_column("standing_id")

    with op.batch_alter_table("standing_countersignature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standing_countersignature_template_id"))

    op.drop_table("standing_countersignature")
    with op.batch_alter_table("denied_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_denied_party_number_key"))
        batch_op.drop_index(batch_op.f("ix_denied_party_name_key"))

    op.drop_table("denied_party")
    with op.batch_alter_table("approval_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_rule_tier_id"))

    op.drop_table("approval_rule")
