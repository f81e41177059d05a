"""Command-line commands: flask --app service seed | check."""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext
from marshmallow import ValidationError

from .extensions import db
from .matching import CheckResult
from .ndc_vocabulary import vocabulary_command
from .presenting import check_json
from .seeding import database_lock, load_seed, read_seed_files
from .services import NotReady, services

TIER_LABEL = {"strong": "STRONG", "moderate": "MODERATE", "weak": "WEAK"}
PROGRESS_EVERY_SECONDS = 5.0  # how often a piped run reports progress


def quiet_by_default(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add -v/--verbose: without it a command's log lines stop at warnings (its output is the point)."""

    @click.option("-v", "--verbose", count=True, help="Show log lines too (-v: info, -vv: debug).")
    @functools.wraps(command)
    def run(*args: Any, verbose: int = 0, **kwargs: Any) -> Any:
        logging.getLogger().setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG))
        return command(*args, **kwargs)

    return run


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """Report progress on standard error: a bar with counts and rate on a terminal, plain lines when piped."""
    started = time.monotonic()
    done = 0

    def rate() -> str:
        return f"{done / max(time.monotonic() - started, 1e-6):,.0f} rows/s"

    if sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True,
                               item_show_func=lambda _: rate() if done else None) as bar:
            def update(count: int) -> None:
                nonlocal done
                done += count
                bar.update(count, done)

            yield update
        return
    last = started

    def report(count: int) -> None:
        nonlocal done, last
        done += count
        if done >= total or time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
            last = time.monotonic()
            click.echo(f"{label}: {done:,} of {total:,} rows ({rate()})", err=True)

    yield report


@click.command("seed")
@with_appcontext
@click.option("--force", is_flag=True, help="Reload even if the database holds this seed version.")
@quiet_by_default
def seed_command(force: bool) -> None:
    """Load or update the seed tables from the seed/ files (idempotent; migrates the schema first)."""
    from .startup import upgrade_schema

    seed = read_seed_files()
    with database_lock(db.engine):
        upgrade_schema(current_app)
        changed = load_seed(seed, force=force)
    click.echo(f"seed {seed.version} {'loaded' if changed else 'already loaded; nothing to do'}")


@click.command("check")
@with_appcontext
@click.argument("medications", nargs=-1, required=True)
@click.option("-c", "--condition", "conditions", multiple=True, help="A health condition (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as the API.")
@click.option("--no-openfda", is_flag=True, help="Do not ask openFDA.")
@click.option("--onset", help='When the cramps began: YYYY-MM-DD or "2 weeks ago" (weighs timing).')
@quiet_by_default
def check_command(medications: tuple[str, ...], conditions: tuple[str, ...], as_json: bool, no_openfda: bool,
                  onset: str | None) -> None:
    """Check medications given as arguments, e.g. check "Lasix 40mg" "Lipitor (started 3 weeks ago)"."""
    from .schemas import CheckRequestSchema

    request = {"medications": list(medications), "conditions": list(conditions)}
    if onset is not None:
        request["onset"] = onset
    try:  # the API's own rules: no blank entries, the same limits
        body = CheckRequestSchema().load(request)
    except ValidationError as error:
        raise click.UsageError(_validation_text(error.messages)) from error
    result = _pipeline().check(body["medications"], body["conditions"], not no_openfda, onset=body["onset"])
    if as_json:
        click.echo(json.dumps(check_json(result), indent=2))
    else:
        click.echo(render_text(result))


def _validation_text(messages: Any, path: str = "") -> str:
    """marshmallow's error messages as lines a person can read ("medication 2: Must not be blank.")."""
    if isinstance(messages, dict):
        return "\n".join(_validation_text(v, _field_name(path, k)) for k, v in messages.items())
    return f"{path}: {' '.join(map(str, messages))}" if path else " ".join(map(str, messages))


def _field_name(path: str, key: Any) -> str:
    if isinstance(key, int) or str(key).isdigit():
        return f"{path.rstrip('s')} {int(key) + 1}"
    return str(key)


def render_text(result: CheckResult) -> str:
    """A readable plain-text report of a check."""
    lines = []
    for entry in result.entries:
        resolution = entry.resolution
        names = ", ".join(
            f"{i.name}{' (read as ' + i.via + ')' if i.match == 'fuzzy' else ''}" for i in resolution.ingredients
        ) or "not recognised"
        lines.append(f"{resolution.input}\n  -> {names}: {entry.status.replace('_', ' ')}")
        for flag in entry.flags:
            source = "" if flag.source == "seed" else f" (from {flag.source})"
            lines.append(f"     {flag.ingredient}: associated with cramps - {flag.drug_class.name} "
                         f"[{TIER_LABEL[flag.tier]} evidence]{source}")
            if flag.drug_class.key_figure:
                lines.append(f"       {flag.drug_class.key_figure}")
            lines.extend(f"       source: {r.citation} {r.url}" for r in flag.references)
        if resolution.suggestions:
            lines.append("     did you mean: " + ", ".join(s.name for s in resolution.suggestions))
        if entry.status == "unresolved":
            lines.extend(f"     note: {note}" for note in entry.notes)
    for found in result.amplifiers_json:
        first, second = found["medicines"]
        lines.append(f"Combination that raises the risk ({found['effect']}, {found['evidence_tier']} evidence): "
                     f"{first['ingredient']} with {second['ingredient']}. {found['why']}"
                     + (f" {found['dose_note']}" if found["dose_note"] else ""))
    reasoning = result.reasoning
    if reasoning.attribution:
        lines.append("Which flagged medicines most plausibly explain the cramps (equal evidence shares a rank):")
        for item in reasoning.attribution:
            lines.append(f"  {item.rank}. {item.input} [{TIER_LABEL[item.evidence_tier]} evidence]")
            lines.extend(f"       {reason}" for reason in item.reasons[1:])
    for check in reasoning.checks:
        by = "; ".join(s.get("input") or " + ".join(s.get("medicines", ())) or s.get("name", "") for s in check["suggested_by"])
        lines.append(f"Check to consider (for the prescriber): {check['name']}, suggested by {by}.")
    for condition in result.conditions:
        lines.append(f"Condition linked to cramps: {condition.name}. {condition.note}")
    if result.unmatched_conditions:
        lines.append("Conditions not recognised (not used in this check): "
                     + ", ".join(f"'{c}'" for c in result.unmatched_conditions)
                     + ". Try a common name, such as 'kidney disease' or 'diabetes'.")
    lines.extend(f"WARNING: {w.message}" for w in result.warnings)
    if result.openfda:
        not_checked = ", ".join(result.openfda["not_checked"])
        lines.append(f"openFDA: {result.openfda['status']}" + (f" (not checked: {not_checked})" if not_checked else ""))
    relevant = [c["title"] for c in reasoning.other_causes if c["relevant"]]
    if relevant:
        lines.append("Other possible causes that may apply: " + ", ".join(relevant) + ".")
    lines += ["", result.advice["patient"], "", result.disclaimer, f"(seed {result.seed_version})"]
    return "\n".join(lines)


@click.command("batch")
@click.argument("source", type=click.File("rb"))
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Where to write the results (default: standard output).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--summary", type=click.File("w", encoding="utf-8", lazy=True), help="Also write the per-patient summary CSV here.")
@with_appcontext
@quiet_by_default
def batch_command(source, output, fmt: str, summary) -> None:
    """Check a CSV file of medication lists, e.g. batch input.csv -o results.csv."""
    from .batch.checking import BatchChecker, collection_paused, patient_summaries
    from .batch.jobs import batched
    from .batch.reading import BatchFileError, decode, detect_layout, read_rows
    from .batch.writing import csv_rows, csv_summary, json_document

    config = current_app.config
    try:
        text = decode(source.read())
        layout = detect_layout(text)
    except BatchFileError as error:
        raise click.ClickException(error.detail) from error
    pipeline = _pipeline()
    checker = BatchChecker(pipeline, config["MAX_ENTRY_CHARS"], pipeline.evidence_provider(shared_budget=False))
    patients: dict = {}
    chunks = []
    total = sum(1 for _ in read_rows(text, layout, config["BATCH_MAX_CELL_CHARS"], config["BATCH_MAX_ENTRIES_PER_ROW"]))
    with progress(total, "Checking") as update:
        for rows in batched(read_rows(text, layout, config["BATCH_MAX_CELL_CHARS"], config["BATCH_MAX_ENTRIES_PER_ROW"]), 1000):
            with collection_paused():
                chunks.append(checker.check_rows(rows, patients))
            update(len(rows))
    summaries = patient_summaries(patients, pipeline)
    meta = {"seed_version": pipeline.lexicon.version, "total_rows": total}
    pieces = csv_rows(chunks) if fmt == "csv" else json_document(chunks, lambda: summaries, meta)
    output.writelines(pieces)
    if summary is not None:
        summary.writelines(csv_summary(summaries))
    click.echo(f"{total} rows, {sum(len(c.rows) for c in chunks)} medications, {len(summaries)} patients", err=True)


@click.command("worker")
@click.option("--workers", type=int, default=None, help="Worker threads (default: BATCH_WORKERS).")
@with_appcontext
def worker_command(workers: int | None) -> None:
    """Run the batch-job worker (the Procfile's worker process)."""
    from .batch.jobs import run_worker

    run_worker(current_app._get_current_object(), workers or current_app.config["BATCH_WORKERS"])


@click.command("purge-jobs")
@with_appcontext
@quiet_by_default
def purge_jobs_command() -> None:
    """Delete batch jobs past their retention now (the worker also does this every minute)."""
    from .batch.jobs import purge_expired

    click.echo(f"deleted {purge_expired()} expired job(s)")


@click.group("openfda")
def openfda_group() -> None:
    """openFDA evidence commands."""


@openfda_group.command("warm")
@with_appcontext
@quiet_by_default
def openfda_warm_command() -> None:
    """Fetch openFDA evidence for every seeded ingredient into the cache, within the rate limits."""
    from .pipeline import ask

    pipeline = _pipeline()
    source = services().source("openfda")
    if source is None:
        raise click.ClickException("openFDA is disabled (OPENFDA_ENABLED=false).")
    ingredients = sorted(pipeline.lexicon.memberships)
    not_checked = []
    with click.progressbar(ingredients, label="Fetching openFDA evidence", file=sys.stderr) as bar:
        for ingredient in bar:
            not_checked += ask(source, [ingredient], None).not_checked
    click.echo(f"{len(ingredients) - len(not_checked)} of {len(ingredients)} ingredients cached"
               + (f"; not checked: {', '.join(not_checked)}" if not_checked else ""))


@click.command("prepare")
@with_appcontext
@quiet_by_default
def prepare_command() -> None:
    """Migrate the database and load the seed if it changed (the release step; idempotent)."""
    from .startup import prepare

    loaded = prepare(current_app._get_current_object())
    click.echo(f"database migrated; seed {read_seed_files().version} {'loaded' if loaded else 'already loaded'}")


@click.command("translations")
def translations_command() -> None:
    """Extract every text CrampCheck shows into service/translations/messages.pot and update each .po."""
    from .i18n import update_catalogs

    for lang, (total, untranslated) in update_catalogs().items():
        click.echo(f"{lang}: {total} texts, {untranslated} untranslated")


def _pipeline():
    """The check pipeline; on the embedded default, prepares the database first if it is new."""
    app = current_app._get_current_object()
    try:
        return services(app).pipeline
    except NotReady as error:
        if not app.config["PREPARE_ON_START"]:
            raise click.ClickException(str(error)) from error
    from .startup import prepare

    prepare(app)
    return services(app).reload()


class MigrationCommands(click.Group):
    """Flask-Migrate's `flask db ...` commands, loaded when asked for (alembic is slow to import)."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        from .startup import migrations

        app = parent.ensure_object(ScriptInfo).load_app() if parent else current_app._get_current_object()
        return migrations(app).make_context(info_name, args, parent, **extra)


def init_app(app: Flask) -> None:
    app.cli.add_command(MigrationCommands("db", help="Database migrations (Flask-Migrate)."))
    for command in (prepare_command, seed_command, check_command, batch_command, worker_command, purge_jobs_command,
                    openfda_group, translations_command):
        app.cli.add_command(command)
    app.cli.add_command(vocabulary_command)
