"""Dead letters keep a message that could not be decoded (shared.migrations).

Revision ID: funding_0005
Revises: funding_0004
Create Date: 2026-12-06
"""
from shared.migrations import drop_undecodable_dead_letters_v2 as downgrade  # noqa: F401
from shared.migrations import keep_undecodable_dead_letters_v2 as upgrade  # noqa: F401

revision, down_revision = "funding_0005", "funding_0004"
branch_labels = depends_on = None
