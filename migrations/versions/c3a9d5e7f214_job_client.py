"""job client

The client a batch job counts against for the job quotas: an API key or page session, or a hash of
the client address.

Revision ID: c3a9d5e7f214
Revises: b5e1f3a7c920
Create Date: 2026-11-28 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9d5e7f214'
down_revision = 'b5e1f3a7c920'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('batch_job') as batch_op:
        batch_op.add_column(sa.Column('client', sa.String(length=80), nullable=True))
        batch_op.create_index('ix_batch_job_client', ['client'], unique=False)


def downgrade():
    with op.batch_alter_table('batch_job') as batch_op:
        batch_op.drop_index('ix_batch_job_client')
        batch_op.drop_column('client')
