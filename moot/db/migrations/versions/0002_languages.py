"""seed the language list

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from moot.db.languages import LANGUAGES

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_language = sa.table(
    "language",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(_language, [{"id": i, "code": c, "name": n} for i, c, n in LANGUAGES])


def downgrade() -> None:
    op.execute(_language.delete())
