"""Edits by version: projects, partners, support, milestones and job reports carry a
version bumped by each edit; the organisations heard of keep the version of their name;
staff corrections of support hours and jobs are kept in `corrections`.

Revision ID: projects_0004
Revises: projects_0003
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "projects_0004", "projects_0003"
branch_labels = depends_on = None

VERSIONED = ("projects", "partners", "support_sessions", "milestones", "job_reports",
             "known_organisations")


def upgrade():
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default="1"))
    op.create_table(
        "corrections",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(36), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("record", sa.String(20), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("before", sa.String(200)),
        sa.Column("after", sa.String(200)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_corrections_project_id", "corrections", ["project_id"])


def downgrade():
    op.drop_index("ix_corrections_project_id", table_name="corrections")
    op.drop_table("corrections")
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
