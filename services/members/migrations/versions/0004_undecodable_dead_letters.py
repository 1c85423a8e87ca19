"""Dead letters keep a message that could not be decoded (shared.migrations).

Revision ID: members_0004
Revises: members_0003
Create Date: 2026-12-06
"""
from shared.migrations import drop_undecodable_dead_letters_v2 as downgrade  # noqa: F401
from shared.migrations import keep_undecodable_dead_letters_v2 as upgrade  # noqa: F401

revision, down_revision = "members_0004", "members_0003"
branch_labels = depends_on = None
