"""Projects known to funding keep the version of their values (projects.project_updated).

Revision ID: funding_0009
Revises: funding_0008
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "funding_0009", "funding_0008"
branch_labels = depends_on = None


def upgrade():
    op.add_column("known_projects", sa.Column("version", sa.Integer()))


def downgrade():
    with op.batch_alter_table("known_projects") as batch:
        batch.drop_column("version")
