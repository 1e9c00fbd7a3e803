"""people, rejections, reflections, wins, moods, conversations"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import (
    belongs, create_indexes, drop_indexes, flag, indexed_by_person, key, moment, of_person,
    primary, ref, small, string, text, unique,
)

revision = '0001'
down_revision = None


def upgrade() -> None:
    op.create_table('people',
        key(),
        string('platform', 16),
        string('community', 64),
        string('user_id', 64),
        string('display_name', 100),
        string('timezone', 64),
        sa.Column('checkin_time', sa.Time(), nullable=False),
        sa.Column('quiet_start', sa.Time(), nullable=False),
        sa.Column('quiet_end', sa.Time(), nullable=False),
        flag('weekdays_only'),
        string('unreachable', 32),
        moment('unreachable_at', nullable=True),
        moment('created_at'),
        primary('people'),
        unique('people', 'platform', 'community', 'user_id'),
    )
    op.create_table('processed_events',
        string('key', 200),
        moment('seen_at'),
        primary('processed_events', 'key'),
    )
    create_indexes('processed_events', (op.f('ix_processed_events_seen_at'), ['seen_at']))
    op.create_table('conversations',
        ref('person_id'),
        string('topic', 32),
        string('data', 200),
        moment('updated_at'),
        of_person('conversations'),
        primary('conversations', 'person_id'),
    )
    op.create_table('moods',
        key(),
        ref('person_id'),
        small('score'),
        text('note'),
        string('source', 16),
        moment('created_at'),
        of_person('moods'),
        primary('moods'),
    )
    create_indexes('moods', ('ix_moods_person_created', ['person_id', 'created_at']))
    op.create_table('rejections',
        key(),
        ref('person_id'),
        string('company', 100),
        string('role', 100),
        string('stage', 20),
        sa.Column('rejected_on', sa.Date(), nullable=False),
        string('interviewer', 100),
        small('feeling'),
        moment('created_at'),
        moment('note_sent_at', nullable=True),
        text('feedback'),
        moment('feedback_at', nullable=True),
        of_person('rejections'),
        primary('rejections'),
    )
    create_indexes('rejections', indexed_by_person('rejections'))
    op.create_table('wins',
        key(),
        ref('person_id'),
        text('text'),
        string('kind', 20),
        moment('created_at'),
        of_person('wins'),
        primary('wins'),
    )
    create_indexes('wins', indexed_by_person('wins'))
    op.create_table('reflections',
        key(),
        ref('person_id'),
        ref('rejection_id'),
        string('question', 32),
        string('answer', 10),
        text('note'),
        moment('created_at'),
        of_person('reflections'),
        belongs('reflections', 'rejection_id', 'rejections'),
        primary('reflections'),
        unique('reflections', 'rejection_id', 'question'),
    )
    create_indexes('reflections', indexed_by_person('reflections'))


def downgrade() -> None:
    for table in ('reflections', 'wins', 'rejections'):
        drop_indexes(table, indexed_by_person(table)[0])
        op.drop_table(table)
    drop_indexes('moods', 'ix_moods_person_created')
    op.drop_table('moods')
    op.drop_table('conversations')
    drop_indexes('processed_events', op.f('ix_processed_events_seen_at'))
    op.drop_table('processed_events')
    op.drop_table('people')
