"""Known projects keep their commune, field and territory: campaigns are filtered by them.

Revision ID: funding_0004
Revises: funding_0003
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "funding_0004"
down_revision = "funding_0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("known_projects") as batch:
        batch.add_column(sa.Column("commune", sa.String(120)))
        batch.add_column(sa.Column("field", sa.String(40)))
        batch.add_column(sa.Column("territory", sa.String(40)))
        batch.create_index("ix_known_projects_commune", ["commune"])
        batch.create_index("ix_known_projects_field", ["field"])


def downgrade():
    with op.batch_alter_table("known_projects") as batch:
        batch.drop_index("ix_known_projects_field")
        batch.drop_index("ix_known_projects_commune")
        batch.drop_column("territory")
        batch.drop_column("field")
        batch.drop_column("commune")
