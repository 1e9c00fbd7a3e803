"""where a person's time zone came from; each win's own number"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import altering

revision = '0006'
down_revision = '0005'


def upgrade() -> None:
    with altering('people') as batch_op:
        batch_op.add_column(
            sa.Column('timezone_source', sa.String(length=10), server_default='default', nullable=False)
        )
    with altering('wins') as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), server_default='0', nullable=False))
    # Existing wins are numbered 1, 2, 3... per person, in the order they were written.
    op.execute(
        "UPDATE wins SET number = (SELECT COUNT(*) FROM wins AS earlier"
        " WHERE earlier.person_id = wins.person_id AND earlier.id <= wins.id)"
    )
    op.create_index('uq_wins_person_number', 'wins', ['person_id', 'number'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_wins_person_number', table_name='wins')
    with altering('wins') as batch_op:
        batch_op.drop_column('number')
    with altering('people') as batch_op:
        batch_op.drop_column('timezone_source')
