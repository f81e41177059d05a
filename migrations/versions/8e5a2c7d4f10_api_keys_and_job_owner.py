"""api keys and batch job owner

API keys (only their SHA-256 hash) and the owner of each batch job, so one client cannot see
another's jobs.

Revision ID: 8e5a2c7d4f10
Revises: 7c3e9a1b2d40
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e5a2c7d4f10'
down_revision = '7c3e9a1b2d40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_hash'),
        sa.UniqueConstraint('name'),
    )
    with op.batch_alter_table('batch_job') as batch:
        batch.add_column(sa.Column('owner', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('batch_job') as batch:
        batch.drop_column('owner')
    op.drop_table('api_key')
