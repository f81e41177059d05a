"""batch chunks keep one form of their rows; the CSV is written when it is downloaded

Revision ID: 5b1f0c2d9e47
Revises: 397984a83fe9
Create Date: 2026-11-28 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1f0c2d9e47'
down_revision = '397984a83fe9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('batch_chunk', schema=None) as batch_op:
        batch_op.drop_column('csv')


def downgrade():
    with op.batch_alter_table('batch_chunk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('csv', sa.LargeBinary(), nullable=False, server_default=b''))
