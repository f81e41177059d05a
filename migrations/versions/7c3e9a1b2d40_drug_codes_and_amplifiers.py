"""drug codes and amplifiers

RxNorm ingredient codes let pharmacy systems send codes instead of names; amplifiers are the
combinations on one list that raise the risk of muscle toxicity or electrolyte loss.

Revision ID: 7c3e9a1b2d40
Revises: 5b2f0c9d1e47
Create Date: 2026-11-28 20:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1b2d40'
down_revision = '5b2f0c9d1e47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drug_code',
        sa.Column('system', sa.String(length=16), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('ingredients', sa.JSON(), nullable=False),
        sa.Column('references', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('system', 'code'),
    )
    op.create_table(
        'amplifier',
        sa.Column('id', sa.String(length=100), nullable=False),
        sa.Column('effect', sa.String(length=16), nullable=False),
        sa.Column('tier', sa.String(length=16), nullable=False),
        sa.Column('first', sa.JSON(), nullable=False),
        sa.Column('second', sa.JSON(), nullable=False),
        sa.Column('first_above_mg', sa.Double(), nullable=True),
        sa.Column('why', sa.Text(), nullable=False),
        sa.Column('references', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('amplifier')
    op.drop_table('drug_code')
