"""Command-line commands: flask --app service seed | check."""

from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .matching import CheckResult, check
from .schemas import CheckResponseSchema
from .seeding import load_seed, read_seed_files, read_seed_from_db

TIER_LABEL = {"strong": "STRONG", "moderate": "MODERATE", "weak": "WEAK"}


@click.command("seed")
@with_appcontext
@click.option("--force", is_flag=True, help="Reload even if the database holds this seed version.")
def seed_command(force: bool) -> None:
    """Load or update the seed tables from the seed/ files (idempotent)."""
    from .lexicon import Lexicon

    seed = read_seed_files()
    changed = load_seed(seed, force=force)
    current_app.extensions["crampcheck.lexicon"] = Lexicon.build(read_seed_from_db())
    click.echo(f"seed {seed.version} {'loaded' if changed else 'already loaded; nothing to do'}")


@click.command("check")
@with_appcontext
@click.argument("medications", nargs=-1, required=True)
@click.option("-c", "--condition", "conditions", multiple=True, help="A health condition (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as the API.")
def check_command(medications: tuple[str, ...], conditions: tuple[str, ...], as_json: bool) -> None:
    """Check medications given as arguments, e.g. check "Lasix 40mg" "Lipitor"."""
    result = check(medications, conditions, current_app.extensions["crampcheck.lexicon"])
    if as_json:
        click.echo(json.dumps(CheckResponseSchema().dump(result), indent=2))
    else:
        click.echo(render_text(result))


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
            lines.append(f"     {flag.ingredient}: associated with cramps - {flag.drug_class.name} "
                         f"[{TIER_LABEL[flag.tier]} evidence]")
            if flag.drug_class.key_figure:
                lines.append(f"       {flag.drug_class.key_figure}")
            lines.extend(f"       source: {r.citation} {r.url}" for r in flag.references)
        if resolution.suggestions:
            lines.append("     did you mean: " + ", ".join(s.name for s in resolution.suggestions))
    for condition in result.conditions:
        lines.append(f"Condition linked to cramps: {condition.name}. {condition.note}")
    lines.extend(f"WARNING: {w.message}" for w in result.warnings)
    lines += ["", result.advice["patient"], "", result.disclaimer, f"(seed {result.seed_version})"]
    return "\n".join(lines)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(check_command)
