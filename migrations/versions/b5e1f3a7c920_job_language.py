"""job language

The language a batch job's texts (notes, class names, advice) are written in, chosen at upload.

Revision ID: b5e1f3a7c920
Revises: 9d4b7e2a6c13
Create Date: 2026-11-29 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e1f3a7c920'
down_revision = '9d4b7e2a6c13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('batch_job') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('batch_job') as batch_op:
        batch_op.drop_column('language')
