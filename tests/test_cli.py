import pytest


def test_check_command_prints_a_readable_result(app):
    result = app.test_cli_runner().invoke(args=["check", "Lasix 40mg", "Lipitor", "-c", "CKD"])
    assert result.exit_code == 0
    assert "furosemide: associated with cramps - Loop diuretics [MODERATE evidence]" in result.output
    assert "atorvastatin" in result.output and "Kidney disease" in result.output
    assert "prescriber or pharmacist" in result.output


def test_check_command_json_matches_the_api(app, client):
    import json

    output = app.test_cli_runner().invoke(args=["check", "--json", "Lasix"]).output
    api = client.post("/api/v1/check", json={"medications": ["Lasix"]}).get_json()
    assert json.loads(output) == api


def test_seed_command_is_idempotent(app):
    output = app.test_cli_runner().invoke(args=["seed"]).output
    assert "already loaded" in output


def test_migration_commands_are_there_when_asked_for(app):
    """`flask db ...` (Flask-Migrate, loaded on first use) reports the database at the latest revision."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from alembic.script import ScriptDirectory

    from service.startup import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    flask = Path(sys.executable).parent / "flask"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    result = subprocess.run([flask, "--app", "service", "db", "current"], env=env, capture_output=True, text=True,
                            cwd=MIGRATIONS.parent, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"{head} (head)" in result.stdout


def test_batch_command_writes_results_and_summary(app, tmp_path):
    import csv
    from pathlib import Path

    sample = Path(__file__).parent.parent / "docs" / "sample-wide.csv"
    out, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    result = app.test_cli_runner().invoke(args=["batch", str(sample), "-o", str(out), "--summary", str(summary)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["patient_id"] == "P001" and rows[0]["status"] == "flagged"
    assert [r["patient_id"] for r in csv.DictReader(summary.open())] == ["P001", "P002", "P003", "P004", "P005"]
    assert "5 rows" in result.output


def test_batch_command_explains_an_unusable_file(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,notes\nx,y\n")
    result = app.test_cli_runner().invoke(args=["batch", str(bad)])
    assert result.exit_code != 0 and "patient_id" in result.output


def test_purge_jobs_command_deletes_expired_jobs_and_keeps_live_ones(app):
    import uuid
    from datetime import timedelta

    from service.extensions import db
    from service.models import BatchJob, utcnow

    def job(expires_in: timedelta) -> str:
        job_id = str(uuid.uuid4())
        db.session.add(BatchJob(id=job_id, status="done", total_rows=1, chunk_rows=1, chunks_total=1,
                                created_at=utcnow(), updated_at=utcnow(), expires_at=utcnow() + expires_in))
        return job_id

    with app.app_context():
        expired, live = job(-timedelta(minutes=1)), job(timedelta(hours=1))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["purge-jobs"])
        assert result.exit_code == 0 and "expired job(s)" in result.output and "deleted 0" not in result.output
        db.session.expire_all()
        assert db.session.get(BatchJob, expired) is None and db.session.get(BatchJob, live) is not None
        db.session.delete(db.session.get(BatchJob, live))
        db.session.commit()


def test_seed_command_works_on_a_new_database(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}")
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0 and "loaded" in result.output
    assert app.test_client().get("/readyz").status_code == 200


def test_check_command_on_the_embedded_default_prepares_a_new_database(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    result = app.test_cli_runner().invoke(args=["check", "Lasix"])
    assert result.exit_code == 0 and "furosemide" in result.output


def test_check_command_without_a_prepared_production_database_says_what_to_run(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}", PREPARE_ON_START=False)
    result = app.test_cli_runner().invoke(args=["check", "Lasix"])
    assert result.exit_code != 0 and "flask --app service prepare" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["check", "Lasix", "  "], "medication 2: Must not be blank."),
    (["check", *["Lasix"] * 201], "At most 200 items"),
])
def test_check_command_applies_the_apis_validation(app, args, message):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 2 and message in result.output


def test_check_command_shows_conditions_it_could_not_recognise(app):
    output = app.test_cli_runner().invoke(args=["check", "Lasix", "-c", "CKD", "-c", "bad knees"]).output
    assert "Conditions not recognised" in output and "'bad knees'" in output


def test_commands_log_only_warnings_unless_asked(app, caplog):
    import logging

    runner = app.test_cli_runner()
    runner.invoke(args=["check", "Lasix"])
    assert logging.getLogger().level == logging.WARNING
    runner.invoke(args=["check", "-v", "Lasix"])
    assert logging.getLogger().level == logging.INFO
    logging.getLogger().setLevel(app.config["LOG_LEVEL"])


def test_piped_batch_progress_reports_counts_and_rate(app, tmp_path):
    sample = tmp_path / "in.csv"
    sample.write_text("patient_id,medications\n" + "".join(f"P{n},Lasix\n" for n in range(30)))
    result = app.test_cli_runner().invoke(args=["batch", str(sample), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0
    assert "Checking: 30 of 30 rows (" in result.output and "rows/s)" in result.output
