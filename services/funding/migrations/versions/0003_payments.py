"""Campaigns in full (kinds, models, caps, rewards, matchfunding, review), payments,
investor profiles, receipts, beneficiaries, other resources and volunteering.

Revision ID: funding_0003
Revises: funding_0002
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "funding_0003"
down_revision = "funding_0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
Cents = sa.BigInteger


def _campaigns():
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("description", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("model", sa.String(20), nullable=False,
                                   server_default="keep_it_all"))
        batch.add_column(sa.Column("optimum_cents", Cents))
        batch.add_column(sa.Column("cap_cents", Cents))
        batch.add_column(sa.Column("people_goal", sa.Integer))
        batch.add_column(sa.Column("min_contribution_cents", Cents, nullable=False,
                                   server_default="100"))
        batch.add_column(sa.Column("starts_at", Timestamp))
        batch.add_column(sa.Column("key_information", sa.JSON))
        batch.add_column(sa.Column("matchfunder", sa.String(200)))
        batch.add_column(sa.Column("match_per_contribution_cents", Cents))
        batch.add_column(sa.Column("match_per_contributor_cents", Cents))
        batch.add_column(sa.Column("match_total_cents", Cents))
        for name in ("matched_cents", "committed_cents", "refunded_cents"):
            batch.add_column(sa.Column(name, Cents, nullable=False, server_default="0"))
        batch.add_column(sa.Column("new_members", sa.Integer, nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("review_note", sa.String(2000)))
        batch.add_column(sa.Column("decided_at", Timestamp))
        batch.add_column(sa.Column("closed_at", Timestamp))
        batch.create_index("ix_campaigns_deadline", ["deadline"])
        batch.create_index("ix_campaigns_status", ["status"])
    # Every contribution so far was confirmed at once: it counts and holds its place.
    op.execute("UPDATE campaigns SET starts_at = created_at, committed_cents = raised_cents")
    with op.batch_alter_table("campaigns") as batch:
        batch.alter_column("starts_at", nullable=False)


def _contributions():
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("reward_id", sa.String(36)))
        batch.create_foreign_key("fk_contributions_reward_id", "rewards", ["reward_id"], ["id"])
        batch.add_column(sa.Column("matched_cents", Cents, nullable=False, server_default="0"))
        batch.add_column(sa.Column("contributor_address", sa.String(300)))
        batch.add_column(sa.Column("public", sa.Boolean, nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("channel", sa.String(20), nullable=False,
                                   server_default="online"))
        batch.add_column(sa.Column("offline_reference", sa.String(100)))
        batch.add_column(sa.Column("payment_id", sa.String(100)))
        batch.add_column(sa.Column("payment_url", sa.String(500)))
        batch.add_column(sa.Column("counted", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("cancel_reason", sa.String(30)))
        batch.add_column(sa.Column("hold_expires_at", Timestamp))
        batch.add_column(sa.Column("reflection_ends_at", Timestamp))
        batch.add_column(sa.Column("board_decision", sa.String(20)))
        batch.add_column(sa.Column("receipt_number", sa.String(20)))
        batch.add_column(sa.Column("updated_at", Timestamp))
        batch.create_unique_constraint("uq_contributions_payment_id", ["payment_id"])
        batch.create_unique_constraint("uq_contributions_receipt_number", ["receipt_number"])
        batch.create_index("ix_contributions_status", ["status"])
    op.execute("UPDATE contributions SET status = 'captured', counted = true, "
               "updated_at = created_at")
    with op.batch_alter_table("contributions") as batch:
        batch.alter_column("updated_at", nullable=False)


def upgrade():
    with op.batch_alter_table("known_projects") as batch:
        batch.add_column(sa.Column("carrier_organisation_id", sa.String(36)))
    op.create_table(
        "beneficiaries",
        sa.Column("organisation_id", sa.String(36), primary_key=True),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("siren", sa.String(9)),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("purpose", sa.String(500), nullable=False),
        sa.Column("receipt_eligible", sa.Boolean, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_table(
        "rewards",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("min_amount_cents", Cents, nullable=False),
        sa.Column("stock", sa.Integer),
        sa.Column("taken", sa.Integer, nullable=False),
        sa.Column("estimated_delivery", sa.Date),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_rewards_campaign_id", "rewards", ["campaign_id"])
    _campaigns()
    _contributions()
    op.create_table(
        "provider_events",
        sa.Column("event_id", sa.String(100), primary_key=True),
        sa.Column("payment_id", sa.String(100), nullable=False),
        sa.Column("type", sa.String(50), nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
    )
    op.create_table(
        "investor_profiles",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("sophisticated", sa.Boolean, nullable=False),
        sa.Column("knowledge_test_passed_at", Timestamp),
        sa.Column("knowledge_test_score", sa.Integer),
        sa.Column("net_worth_cents", Cents),
        sa.Column("loss_capacity_cents", Cents),
        sa.Column("loss_simulated_at", Timestamp),
    )
    op.create_table(
        "receipt_sequences",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "receipts",
        sa.Column("number", sa.String(20), primary_key=True),
        sa.Column("contribution_id", sa.String(36), nullable=False, unique=True),
        sa.Column("account_id", sa.String(36)),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("issued_at", Timestamp, nullable=False),
    )
    op.create_index("ix_receipts_account_id", "receipts", ["account_id"])
    op.create_table(
        "resources",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount_cents", Cents, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("project_id", sa.String(36)),
        sa.Column("funder", sa.String(200)),
        sa.Column("funder_type", sa.String(20)),
        sa.Column("programme", sa.String(200)),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("recorded_by", sa.String(36)),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_resources_year", "resources", ["year"])
    op.create_index("ix_resources_project_id", "resources", ["project_id"])
    op.create_table(
        "volunteering",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hours_hundredths", sa.Integer, nullable=False),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.Column("activity", sa.String(300), nullable=False),
        sa.Column("project_id", sa.String(36)),
        sa.Column("hour_value_cents", sa.Integer, nullable=False),
        sa.Column("valued_cents", Cents, nullable=False),
        sa.Column("recorded_by", sa.String(36)),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_volunteering_done_on", "volunteering", ["done_on"])
    op.create_index("ix_volunteering_project_id", "volunteering", ["project_id"])


def downgrade():
    for table in ("volunteering", "resources", "receipts", "receipt_sequences",
                  "investor_profiles", "provider_events"):
        op.drop_table(table)
    with op.batch_alter_table("contributions") as batch:
        batch.drop_constraint("fk_contributions_reward_id", type_="foreignkey")
        batch.drop_index("ix_contributions_status")
        batch.drop_constraint("uq_contributions_receipt_number", type_="unique")
        batch.drop_constraint("uq_contributions_payment_id", type_="unique")
        for name in ("updated_at", "receipt_number", "board_decision", "reflection_ends_at",
                     "hold_expires_at", "cancel_reason", "counted", "payment_url",
                     "payment_id", "offline_reference", "channel", "public",
                     "contributor_address", "matched_cents", "reward_id"):
            batch.drop_column(name)
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_index("ix_campaigns_status")
        batch.drop_index("ix_campaigns_deadline")
        for name in ("closed_at", "decided_at", "review_note", "new_members", "refunded_cents",
                     "committed_cents", "matched_cents", "match_total_cents",
                     "match_per_contributor_cents", "match_per_contribution_cents",
                     "matchfunder", "key_information", "starts_at", "min_contribution_cents",
                     "people_goal", "cap_cents", "optimum_cents", "model", "description"):
            batch.drop_column(name)
    op.drop_table("rewards")
    op.drop_table("beneficiaries")
    with op.batch_alter_table("known_projects") as batch:
        batch.drop_column("carrier_organisation_id")
