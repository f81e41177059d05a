"""product routes, asking for the form, reviewed negatives

Names carry the form a product implies (eye drops, patches); a member can ask for the form
instead of flagging or clearing when the entry does not state it; the seed records which
medicines were checked and found not associated, apart from those merely not found.

Revision ID: 5b2f0c9d1e47
Revises: 5b1f0c2d9e47
Create Date: 2026-11-28 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b2f0c9d1e47'
down_revision = '5b1f0c2d9e47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('negative',
    sa.Column('ingredient', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('references', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('ingredient')
    )
    with op.batch_alter_table('drug_name', schema=None) as batch_op:
        batch_op.add_column(sa.Column('routes', sa.JSON(), nullable=True))
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route_unspecified', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('route_unspecified')
    with op.batch_alter_table('drug_name', schema=None) as batch_op:
        batch_op.drop_column('routes')
    op.drop_table('negative')
