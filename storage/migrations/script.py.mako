"""${message}"""

import sqlalchemy as sa
from alembic import op

# Autogenerate writes columns out in full: storage.migrations.helpers has the usual ones
# (key, ref, moment, string, text, primary, of_person...), which keep a migration short.
import storage.tables
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
