"""Typed SQLAlchemy 2.0 models: the seed tables."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SeedVersion(db.Model):
    """Which seed version the database holds (one row)."""

    __tablename__ = "seed_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=_utcnow)


class Reference(db.Model):
    __tablename__ = "reference"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    citation: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500))


class DrugClass(db.Model):
    __tablename__ = "drug_class"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16))
    mechanism: Mapped[str] = mapped_column(Text)
    key_figure: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    references: Mapped[list[str]] = mapped_column(JSON)


class Member(db.Model):
    """An ingredient in a drug class, with its route limits."""

    __tablename__ = "member"
    id: Mapped[int] = mapped_column(primary_key=True)
    ingredient: Mapped[str] = mapped_column(String(200), index=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("drug_class.id"))
    synonyms: Mapped[list[str]] = mapped_column(JSON)
    tier: Mapped[str | None] = mapped_column(String(16))
    routes: Mapped[list[str]] = mapped_column(JSON)
    flag_when_route_unstated: Mapped[bool] = mapped_column(default=True)
    references: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class DrugName(db.Model):
    """A name people write (generic, brand, synonym) and the ingredients it stands for."""

    __tablename__ = "drug_name"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    ingredients: Mapped[list[str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    market: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class Condition(db.Model):
    __tablename__ = "condition"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    synonyms: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text)
    references: Mapped[list[str]] = mapped_column(JSON)


SEED_MODELS: tuple[Any, ...] = (Member, DrugName, Condition, DrugClass, Reference, SeedVersion)
