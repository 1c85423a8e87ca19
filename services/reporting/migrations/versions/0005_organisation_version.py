"""The organisations lookup keeps the version of its values: an edit of an organisation
(members.organisation_updated) wins over older values, in whatever order they arrive.

Revision ID: reporting_0005
Revises: reporting_0004
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "reporting_0005", "reporting_0004"
branch_labels = depends_on = None


def upgrade():
    op.add_column("report_organisations", sa.Column("version", sa.Integer()))


def downgrade():
    with op.batch_alter_table("report_organisations") as batch:
        batch.drop_column("version")
