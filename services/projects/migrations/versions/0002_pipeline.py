"""The pipeline in full: carriers, stage history, partners, support, milestones, jobs,
enterprises, news; and the organisations projects have heard of.

Revision ID: projects_0002
Revises: projects_0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "projects_0002"
down_revision = "projects_0001"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def _child(name, *columns):
    op.create_table(name, sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("project_id", sa.String(36), sa.ForeignKey("projects.id"),
                              nullable=False), *columns)
    op.create_index(f"ix_{name}_project_id", name, ["project_id"])


def upgrade():
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("territory", sa.String(20), nullable=False,
                                   server_default="outside"))
        batch.add_column(sa.Column("carrier_organisation_id", sa.String(36)))
        batch.add_column(sa.Column("founders", sa.String(500)))
        batch.add_column(sa.Column("animator_account_id", sa.String(36)))
        batch.add_column(sa.Column("tags", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("stage_entered_at", Timestamp))
        batch.create_index("ix_projects_stage", ["stage"])
        batch.create_index("ix_projects_carrier_organisation_id", ["carrier_organisation_id"])
    op.execute("UPDATE projects SET stage_entered_at = submitted_at")
    with op.batch_alter_table("projects") as batch:
        batch.alter_column("stage_entered_at", nullable=False)
    op.create_table("known_organisations", sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("name", sa.String(200), nullable=False))
    _child("stage_moves",
           sa.Column("from_stage", sa.String(20)),
           sa.Column("to_stage", sa.String(20), nullable=False),
           sa.Column("at", Timestamp, nullable=False),
           sa.Column("by", sa.String(64), nullable=False),
           sa.Column("reason", sa.String(500)))
    _child("partners",
           sa.Column("organisation_id", sa.String(36)),
           sa.Column("name", sa.String(200), nullable=False),
           sa.Column("circle", sa.String(20), nullable=False),
           sa.Column("formalisation", sa.String(20), nullable=False),
           sa.Column("role", sa.String(200)),
           sa.Column("starts_on", sa.Date),
           sa.Column("ends_on", sa.Date),
           sa.Column("shown_publicly", sa.Boolean, nullable=False),
           sa.Column("added_at", Timestamp, nullable=False))
    _child("support_sessions",
           sa.Column("kind", sa.String(20), nullable=False),
           sa.Column("hours_hundredths", sa.Integer, nullable=False),
           sa.Column("given_on", sa.Date, nullable=False),
           sa.Column("given_by", sa.String(200), nullable=False),
           sa.Column("recorded_at", Timestamp, nullable=False))
    _child("milestones",
           sa.Column("title", sa.String(200), nullable=False),
           sa.Column("due_on", sa.Date, nullable=False),
           sa.Column("completed_on", sa.Date),
           sa.Column("created_at", Timestamp, nullable=False))
    _child("job_reports",
           sa.Column("reported_on", sa.Date, nullable=False),
           sa.Column("created_fte_hundredths", sa.Integer, nullable=False),
           sa.Column("consolidated_fte_hundredths", sa.Integer, nullable=False),
           sa.Column("insertion_fte_hundredths", sa.Integer, nullable=False),
           sa.Column("recorded_by", sa.String(64), nullable=False),
           sa.Column("recorded_at", Timestamp, nullable=False))
    op.create_table(
        "enterprises",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(36), sa.ForeignKey("projects.id"), nullable=False,
                  unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("legal_form", sa.String(40), nullable=False),
        sa.Column("siren", sa.String(9), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
        sa.Column("recorded_at", Timestamp, nullable=False))
    _child("news_posts",
           sa.Column("title", sa.String(200), nullable=False),
           sa.Column("body", sa.Text, nullable=False),
           sa.Column("visibility", sa.String(20), nullable=False),
           sa.Column("published_at", Timestamp, nullable=False))


def downgrade():
    for table in ("news_posts", "enterprises", "job_reports", "milestones", "support_sessions",
                  "partners", "stage_moves", "known_organisations"):
        op.drop_table(table)
    with op.batch_alter_table("projects") as batch:
        batch.drop_index("ix_projects_carrier_organisation_id")
        batch.drop_index("ix_projects_stage")
        for column in ("stage_entered_at", "tags", "animator_account_id", "founders",
                       "carrier_organisation_id", "territory"):
            batch.drop_column(column)
