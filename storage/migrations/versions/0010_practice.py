"""practice partners: members' choices, each round's groups, the communities' settings"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import (
    altering, key, moment, of_person, primary, ref, string, text, unique,
)

revision = '0010'
down_revision = '0009'

_ROUND = "kind = 'practice_round'"


def upgrade() -> None:
    with altering('communities') as batch_op:
        batch_op.add_column(sa.Column('practice', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('practice_channel', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('practice_weekday', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('practice_time', sa.Time(), server_default='10:00:00', nullable=False))
        batch_op.add_column(sa.Column('practice_every', sa.SmallInteger(), server_default='1', nullable=False))
    op.create_index(
        'uq_community_posts_practice_round', 'community_posts', ['platform', 'community', 'week'],
        unique=True, sqlite_where=sa.text(_ROUND), postgresql_where=sa.text(_ROUND),
    )
    op.create_table('practice_members',
        ref('person_id'),
        string('platform', 16),
        string('community', 64),
        string('state', 10),
        moment('paused_until', nullable=True),
        text('areas'),
        text('role_kind'),
        moment('joined_at'),
        string('availability', 16),
        of_person('practice_members'),
        primary('practice_members', 'person_id'),
    )
    op.create_index('ix_practice_members_community', 'practice_members', ['platform', 'community', 'state'], unique=False)
    op.create_table('practice_pairs',
        key(),
        string('platform', 16),
        string('community', 64),
        string('week', 10),
        sa.Column('grp', sa.Integer(), nullable=False),
        ref('person_id'),
        string('state', 10),
        string('conversation', 64),
        string('met', 10),
        moment('met_at', nullable=True),
        moment('created_at'),
        of_person('practice_pairs'),
        primary('practice_pairs'),
        unique('practice_pairs', 'platform', 'community', 'week', 'person_id'),
    )
    op.create_index('ix_practice_pairs_person', 'practice_pairs', ['person_id', 'week'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_practice_pairs_person', table_name='practice_pairs')
    op.drop_table('practice_pairs')
    op.drop_index('ix_practice_members_community', table_name='practice_members')
    op.drop_table('practice_members')
    op.drop_index('uq_community_posts_practice_round', table_name='community_posts')
    with altering('communities') as batch_op:
        for column in ('practice_every', 'practice_time', 'practice_weekday', 'practice_channel', 'practice'):
            batch_op.drop_column(column)
