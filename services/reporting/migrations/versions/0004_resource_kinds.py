"""The resources table in the kinds of the cluster's description: members' dues and
mutualisation income (from members' invoices) in the cluster's own row, foundations and
private investors apart from other private money.

The dues and invoices already projected into the members' money are copied into the
cluster's rows, so the figures need no rebuild.

Revision ID: reporting_0004
Revises: reporting_0003
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "reporting_0004", "reporting_0003"
branch_labels = depends_on = None

COLUMNS = ("dues_cents", "foundations_cents", "private_investors_cents")


def upgrade():
    for name in COLUMNS:
        op.add_column("report_resources", sa.Column(name, sa.BigInteger, nullable=False,
                                                    server_default="0"))
    op.execute("INSERT INTO report_resources (project_id, year) "
               "SELECT 'cluster', year FROM report_member_money GROUP BY year "
               "ON CONFLICT DO NOTHING")
    op.execute("UPDATE report_resources SET "
               "dues_cents = (SELECT COALESCE(SUM(m.dues_paid_cents), 0) "
               "FROM report_member_money m WHERE m.year = report_resources.year), "
               "mutualisation_cents = mutualisation_cents + "
               "(SELECT COALESCE(SUM(m.mutualisation_invoiced_cents), 0) "
               "FROM report_member_money m WHERE m.year = report_resources.year) "
               "WHERE project_id = 'cluster'")


def downgrade():
    op.execute("UPDATE report_resources SET mutualisation_cents = mutualisation_cents - "
               "(SELECT COALESCE(SUM(m.mutualisation_invoiced_cents), 0) "
               "FROM report_member_money m WHERE m.year = report_resources.year) "
               "WHERE project_id = 'cluster'")
    with op.batch_alter_table("report_resources") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
