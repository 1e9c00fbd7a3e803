"""delivery exactly once: one pending check-in per kind and person"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'


def upgrade() -> None:
    # Schedules doubled by the old dispatcher: keep each person's earliest pending check-in
    # of a kind and skip the others, so the unique index can be built.
    op.execute(
        "UPDATE planned_messages SET state = 'skipped', outcome = 'duplicate'"
        " WHERE state = 'pending' AND EXISTS (SELECT 1 FROM planned_messages AS other"
        " WHERE other.person_id = planned_messages.person_id"
        " AND other.kind = planned_messages.kind AND other.state = 'pending'"
        " AND (other.due_at < planned_messages.due_at OR (other.due_at = planned_messages.due_at"
        " AND other.id < planned_messages.id)))"
    )
    op.create_index(
        'uq_planned_messages_pending_kind',
        'planned_messages',
        ['person_id', 'kind'],
        unique=True,
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index('uq_planned_messages_pending_kind', table_name='planned_messages')
