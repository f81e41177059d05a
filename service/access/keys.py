"""API keys: created and revoked on the command line, kept only as a SHA-256 hash.

A key is `cc_` followed by 32 random bytes (secrets.token_urlsafe), so it cannot be guessed and
needs no slow password hash: SHA-256 of a 256-bit random value cannot be reversed or brute-forced,
and it lets a request find its key with one indexed lookup. The key itself is shown once, when it
is created, and never stored or logged.
"""

from __future__ import annotations

import hashlib
import secrets

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import ApiKey, utcnow

PREFIX = "cc_"
apikey_cli = AppGroup("apikey", help="Create, list and revoke API keys (used when API_KEYS=required).")


def digest(key: str) -> str:
    """The SHA-256 of a key, as stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def create(name: str) -> str:
    """Store a new key under a new name and return the key (the only time it is seen)."""
    if db.session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise click.ClickException(f"A key named {name!r} exists already (revoked names are not reused).")
    key = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiKey(name=name, key_hash=digest(key)))
    db.session.commit()
    return key


def revoke(name: str) -> bool:
    """Revoke a key by name at once; False when no live key has that name."""
    found = db.session.scalar(select(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None)))
    if found is None:
        return False
    found.revoked_at = utcnow()
    db.session.commit()
    return True


def find(key: str) -> ApiKey | None:
    """The live key with this value, or None (unknown or revoked)."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    return db.session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None)))


def name_of(key_id: int) -> str | None:
    """A key's name by id (revoked keys too): audit lines name the key that made a job."""
    return db.session.scalar(select(ApiKey.name).where(ApiKey.id == key_id))


@apikey_cli.command("create")
@click.argument("name")
def create_command(name: str) -> None:
    """Create a key named NAME and print it once: store it now, it cannot be shown again."""
    if not name.strip() or len(name) > 100:
        raise click.BadParameter("give a name of 1 to 100 characters", param_hint="NAME")
    click.echo(create(name.strip()))
    click.echo(f"API key {name.strip()!r} created. It is shown only now; send it as "
               "'Authorization: Bearer <key>'.", err=True)


@apikey_cli.command("revoke")
@click.argument("name")
def revoke_command(name: str) -> None:
    """Revoke the key named NAME: requests with it get 401 from now on."""
    if not revoke(name):
        raise click.ClickException(f"No live key named {name!r}.")
    click.echo(f"API key {name!r} revoked.")


@apikey_cli.command("list")
def list_command() -> None:
    """List keys by name with when they were created and revoked (never the keys themselves)."""
    for found in db.session.scalars(select(ApiKey).order_by(ApiKey.name)):
        revoked = f"revoked {found.revoked_at:%Y-%m-%d %H:%M}Z" if found.revoked_at else "live"
        click.echo(f"{found.name}\tcreated {found.created_at:%Y-%m-%d %H:%M}Z\t{revoked}")


def init_app(app: Flask) -> None:
    app.cli.add_command(apikey_cli)
