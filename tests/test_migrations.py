"""The Alembic migrations build exactly the schema the models describe."""

from sqlalchemy import inspect

from service.extensions import db


def test_migrated_database_agrees_with_the_models(app):
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_every_model_table_exists_after_upgrade(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
