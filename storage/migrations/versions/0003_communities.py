"""communities and their posts"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import (
    altering, belongs, flag, key, moment, of_person, primary, ref, small, string, text, unique,
)

revision = '0003'
down_revision = '0002'

_BRAG_THREAD = sa.text("kind = 'brag_thread'")


def upgrade() -> None:
    op.create_table('communities',
        key(),
        string('platform', 16),
        string('community', 64),
        string('timezone', 64),
        string('brag_channel', 64),
        small('brag_weekday'),
        sa.Column('brag_time', sa.Time(), nullable=False),
        sa.Column('checkin_time', sa.Time(), nullable=False),
        text('support_resources'),
        flag('brag_thread'),
        flag('pulse'),
        moment('created_at'),
        primary('communities'),
        unique('communities', 'platform', 'community'),
    )
    op.create_table('community_posts',
        key(),
        string('platform', 16),
        string('community', 64),
        string('kind', 16),
        string('week', 10),
        ref('person_id', nullable=True),
        ref('win_id', nullable=True),
        text('body'),
        string('channel', 64),
        string('thread', 64),
        string('message_id', 64),
        moment('due_at'),
        string('state', 10),
        sa.Column('attempts', sa.Integer(), nullable=False),
        moment('lease_until', nullable=True),
        string('claimed_by', 64),
        string('outcome', 32),
        moment('created_at'),
        of_person('community_posts', ondelete='SET NULL'),
        belongs('community_posts', 'win_id', 'wins', ondelete='SET NULL'),
        primary('community_posts'),
    )
    with altering('community_posts') as batch_op:
        batch_op.create_index('ix_community_posts_state_due', ['state', 'platform', 'due_at'], unique=False)
        batch_op.create_index(
            'uq_community_posts_weekly_thread', ['platform', 'community', 'week'], unique=True,
            sqlite_where=_BRAG_THREAD, postgresql_where=_BRAG_THREAD,
        )


def downgrade() -> None:
    with altering('community_posts') as batch_op:
        batch_op.drop_index(
            'uq_community_posts_weekly_thread', sqlite_where=_BRAG_THREAD, postgresql_where=_BRAG_THREAD
        )
        batch_op.drop_index('ix_community_posts_state_due')
    op.drop_table('community_posts')
    op.drop_table('communities')
