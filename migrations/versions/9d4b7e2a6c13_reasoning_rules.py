"""reasoning rules

The seed's clinical-reasoning records: class words, laboratory checks, attribution figures and
timing, other causes and self-care.

Revision ID: 9d4b7e2a6c13
Revises: 8e5a2c7d4f10
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d4b7e2a6c13'
down_revision = '8e5a2c7d4f10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reasoning_rule',
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('id', sa.String(length=100), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'id'),
    )


def downgrade():
    op.drop_table('reasoning_rule')
