"""Typed SQLAlchemy 2.0 models: the seed tables, batch jobs, the openFDA cache and API keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


def utcnow() -> datetime:
    """Now, as naive UTC."""
    # Naive UTC everywhere: SQLite and PostgreSQL "timestamp" columns then agree.
    return datetime.now(UTC).replace(tzinfo=None)


class SeedVersion(db.Model):
    """Which seed version the database holds (one row)."""

    __tablename__ = "seed_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    # flag, no or ask (ask for the form when the entry does not state it)
    route_unspecified: Mapped[str | None] = mapped_column(String(8))
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
    # The forms a product implies (ophthalmic, transdermal, ...); null when it implies none.
    routes: Mapped[list[str] | None] = mapped_column(JSON)
    market: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class Negative(db.Model):
    """An ingredient reviewed and not associated with cramps, or borderline (kept off that list)."""

    __tablename__ = "negative"
    ingredient: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # checked or borderline
    note: Mapped[str | None] = mapped_column(Text)
    references: Mapped[list[str]] = mapped_column(JSON)


class Condition(db.Model):
    __tablename__ = "condition"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    synonyms: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text)
    references: Mapped[list[str]] = mapped_column(JSON)




class BatchJob(db.Model):
    """A batch check too large to answer at once. Holds health data: deleted at expires_at."""

    __tablename__ = "batch_job"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, done, failed
    total_rows: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    chunks_total: Mapped[int] = mapped_column(default=0)
    chunk_rows: Mapped[int] = mapped_column(default=1000)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    error: Mapped[str | None] = mapped_column(Text)
    # The upload, zlib-compressed; cleared once the results are complete.
    upload: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Who made it ("key:<id>" or "page:<session id>"); only they can see it. None: made while API keys
    # were off, seen by anyone holding its unguessable id.
    owner: Mapped[str | None] = mapped_column(String(64))
    # The language of the results' texts (service/i18n.py LANGUAGES); None: English (jobs made before).
    language: Mapped[str | None] = mapped_column(String(8))
    # Whose quota it counts against: the API key or page session, else a hash of the client address
    # (never the address itself). None: made before quotas.
    client: Mapped[str | None] = mapped_column(String(80), index=True)


class BatchChunk(db.Model):
    """The results of one slice of a job's input rows; unique per (job, index) so work is never doubled."""

    __tablename__ = "batch_chunk"
    __table_args__ = (UniqueConstraint("job_id", "index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("batch_job.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column()
    rows: Mapped[int] = mapped_column()
    # zlib-compressed JSON of the output rows
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # zlib-compressed JSON of the patient tallies of this chunk
    patients: Mapped[bytes] = mapped_column(LargeBinary)


class ApiKey(db.Model):
    """A client's API key: only its SHA-256 is kept, so the database never holds a usable key."""

    __tablename__ = "api_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class PharmClass(db.Model):
    """An FDA established pharmacologic class (EPC) that maps to a seeded drug class."""

    __tablename__ = "pharm_class"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # lower case, e.g. "thiazide diuretic [epc]"
    class_id: Mapped[str] = mapped_column(ForeignKey("drug_class.id"))


class OpenFDACache(db.Model):
    """openFDA evidence by normalised query, shared by every worker; misses are cached too."""

    __tablename__ = "openfda_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class DrugCode(db.Model):
    """A drug code (an RxNorm ingredient RXCUI) and the ingredients it stands for."""

    __tablename__ = "drug_code"
    system: Mapped[str] = mapped_column(String(16), primary_key=True)  # rxnorm
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    ingredients: Mapped[list[str]] = mapped_column(JSON)
    references: Mapped[list[str]] = mapped_column(JSON)


class Amplifier(db.Model):
    """A combination on one list that raises the risk of muscle toxicity or electrolyte loss."""

    __tablename__ = "amplifier"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    effect: Mapped[str] = mapped_column(String(16))  # muscle, potassium, magnesium
    tier: Mapped[str] = mapped_column(String(16))
    first: Mapped[dict[str, list[str]]] = mapped_column(JSON)  # {"classes": [...], "ingredients": [...]}
    second: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    first_above_mg: Mapped[float | None] = mapped_column()
    why: Mapped[str] = mapped_column(Text)
    references: Mapped[list[str]] = mapped_column(JSON)


class ReasoningRule(db.Model):
    """One record of the seed's clinical-reasoning files, kept as the file writes it.

    `kind` names the file: class_words, lab_checks, attribution, other_causes or self_care; the
    records are read back into typed objects by the in-memory index (service/reasoning/rules.py).
    """

    __tablename__ = "reasoning_rule"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column()  # the order of the file
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


SEED_MODELS: tuple[Any, ...] = (PharmClass, Member, DrugName, Negative, Condition, DrugCode, Amplifier, ReasoningRule,
                                DrugClass, Reference, SeedVersion)
