"""Dead letters keep a message that could not be decoded (shared.migrations).

Revision ID: notifications_0002
Revises: notifications_0001
Create Date: 2026-12-06
"""
from shared.migrations import drop_undecodable_dead_letters_v2 as downgrade  # noqa: F401
from shared.migrations import keep_undecodable_dead_letters_v2 as upgrade  # noqa: F401

revision, down_revision = "notifications_0002", "notifications_0001"
branch_labels = depends_on = None
