"""Read the seed files, load them into the database, and read them back for the index."""

from __future__ import annotations

import csv
import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, delete, insert, select, text

from . import models
from .extensions import db
from .lexicon import SeedData
from .reasoning.rules import seed_records

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
SEED_FILES = (
    "VERSION", "references.yaml", "drug_classes.yaml", "members.csv",
    "synonyms.csv", "products.csv", "vocabulary.csv", "conditions.yaml", "pharm_classes.csv", "negatives.csv",
    "dose_forms.csv", "common_products.csv", "rxnorm_codes.csv", "amplifiers.yaml",
    "class_words.yaml", "lab_checks.yaml", "attribution.yaml", "care.yaml",
)
# Built on a user's machine from FDA's NDC directory (flask --app service vocabulary); loaded when present.
OPTIONAL_SEED_FILES = ("ndc_vocabulary.csv",)


# Any constant shared by every instance: the PostgreSQL advisory lock that serialises start-up.
_LOCK_KEY = 0x43524D50  # "CRMP"


@contextmanager
def database_lock(engine: Engine) -> Iterator[None]:
    """Hold a lock across instances while migrating and seeding (no duplicate rows, no failed start).

    PostgreSQL: a session advisory lock. SQLite: an exclusive lock on a file beside the database.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
                connection.commit()
    elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with open(f"{engine.url.database}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


def seed_version(seed_dir: Path = SEED_DIR) -> str:
    """The seed's version: the VERSION file plus a digest of every seed file."""
    digest = hashlib.sha256()
    for name in SEED_FILES + OPTIONAL_SEED_FILES:
        if (seed_dir / name).exists() or name not in OPTIONAL_SEED_FILES:
            digest.update((seed_dir / name).read_bytes())
    return f"{(seed_dir / 'VERSION').read_text().strip()}+{digest.hexdigest()[:8]}"


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_seed_files(seed_dir: Path = SEED_DIR) -> SeedData:
    """Read every seed file into plain records."""
    seed = SeedData(version=seed_version(seed_dir))
    seed.references = [{"id": k, **v} for k, v in _yaml(seed_dir / "references.yaml").items()]
    seed.classes = [
        {"id": k, "key_figure": None, "note": None, **v} for k, v in _yaml(seed_dir / "drug_classes.yaml").items()
    ]
    for row in _csv(seed_dir / "members.csv"):
        ingredient = row["ingredient"]
        seed.members.append({
            "ingredient": ingredient,
            "class_id": row["class_id"],
            "synonyms": _split(row["synonyms"]),
            "tier": row["tier"] or None,
            "routes": _split(row["routes"]),
            "flag_when_route_unstated": (row["route_unspecified"] or "flag") == "flag",
            "route_unspecified": row["route_unspecified"] or None,
            "references": _split(row["references"]),
            "note": row["note"] or None,
        })
        seed.names.append(_name(ingredient, [ingredient], "exact", "members"))
        seed.names.extend(_name(s, [ingredient], "synonym", "members") for s in _split(row["synonyms"]))
    seed.names.extend(
        _name(r["name"], _split(r["ingredient"]), "synonym", "synonyms", note=r["kind"], routes=_split(r.get("routes")))
        for r in _csv(seed_dir / "synonyms.csv")
    )
    seed.names.extend(
        _name(r["name"], _split(r["ingredients"]), "brand", "products", market=r["market"], note=r["note"] or None,
              routes=_split(r.get("routes")))
        for r in _csv(seed_dir / "products.csv") + _csv(seed_dir / "common_products.csv")
    )
    # FDA's own brand list, when a user built it, ranks below the curated files and above the
    # general vocabulary.
    seed.names.extend(
        _name(r["name"], _split(r["ingredients"]), "brand", "ndc")
        for r in (_csv(seed_dir / "ndc_vocabulary.csv") if (seed_dir / "ndc_vocabulary.csv").exists() else [])
    )
    seed.names.extend(
        _name(r["name"], _split(r["ingredients"]), r["kind"], "vocabulary")
        for r in _csv(seed_dir / "vocabulary.csv")
    )
    seed.conditions = [{"id": k, **v} for k, v in _yaml(seed_dir / "conditions.yaml").items()]
    seed.negatives = [
        {"ingredient": r["ingredient"], "status": r["status"], "note": r["note"] or None,
         "references": _split(r["references"])}
        for r in _csv(seed_dir / "negatives.csv")
    ]
    seed.pharm_classes = [
        {"name": r["epc"].lower(), "class_id": r["class_id"]} for r in _csv(seed_dir / "pharm_classes.csv")
    ]
    seed.codes = [
        {"system": "rxnorm", "code": r["rxcui"], "ingredients": _split(r["ingredient"]),
         "references": _split(r["references"])}
        for r in _csv(seed_dir / "rxnorm_codes.csv")
    ]
    seed.amplifiers = [
        {"id": k, "first_above_mg": None, **v} for k, v in _yaml(seed_dir / "amplifiers.yaml").items()
    ]
    seed.reasoning = seed_records({name: _yaml(seed_dir / f"{name}.yaml")
                                   for name in ("class_words", "lab_checks", "attribution", "care")})
    return seed


def _name(name: str, ingredients: list[str], kind: str, source: str, market: str | None = None,
          note: str | None = None, routes: list[str] | None = None) -> dict[str, Any]:
    return {"name": name, "ingredients": ingredients, "kind": kind, "source": source, "market": market, "note": note,
            "routes": routes or None}


def loaded_version() -> str | None:
    """The seed version the database holds, or None if it holds none."""
    return db.session.scalar(select(models.SeedVersion.version))


def load_seed(seed: SeedData, force: bool = False) -> bool:
    """Replace the seed tables with this seed unless the database already holds it."""
    if not force and loaded_version() == seed.version:
        return False
    session = db.session
    for model in models.SEED_MODELS:
        session.execute(delete(model))
    session.execute(insert(models.Reference), seed.references)
    session.execute(insert(models.DrugClass), seed.classes)
    session.execute(insert(models.Member), seed.members)
    session.execute(insert(models.DrugName), seed.names)
    session.execute(insert(models.Condition), seed.conditions)
    if seed.negatives:
        session.execute(insert(models.Negative), seed.negatives)
    session.execute(insert(models.PharmClass), seed.pharm_classes)
    session.execute(insert(models.DrugCode), seed.codes)
    session.execute(insert(models.Amplifier), seed.amplifiers)
    session.execute(insert(models.ReasoningRule), seed.reasoning)
    session.add(models.SeedVersion(id=1, version=seed.version))
    session.commit()
    return True


def read_seed_from_db() -> SeedData:
    """Read the seed tables back into plain records for the in-memory index."""
    session = db.session
    version = loaded_version()
    if version is None:
        raise LookupError("the database holds no seed")

    def rows(model: Any, *columns: str) -> list[dict[str, Any]]:
        return [{c: getattr(obj, c) for c in columns} for obj in session.scalars(select(model))]

    seed = SeedData(version=version)
    seed.references = rows(models.Reference, "id", "citation", "url")
    seed.classes = rows(models.DrugClass, "id", "name", "tier", "mechanism", "key_figure", "note", "references")
    seed.members = rows(
        models.Member, "ingredient", "class_id", "synonyms", "tier", "routes", "flag_when_route_unstated",
        "route_unspecified", "references", "note",
    )
    seed.names = [
        {"name": n, "ingredients": i, "kind": k, "source": s, "routes": r}
        for n, i, k, s, r in session.execute(
            select(models.DrugName.name, models.DrugName.ingredients, models.DrugName.kind, models.DrugName.source,
                   models.DrugName.routes)
        )
    ]
    seed.conditions = rows(models.Condition, "id", "name", "synonyms", "note", "references")
    seed.negatives = rows(models.Negative, "ingredient", "status", "note", "references")
    seed.pharm_classes = rows(models.PharmClass, "name", "class_id")
    seed.codes = rows(models.DrugCode, "system", "code", "ingredients", "references")
    seed.amplifiers = rows(models.Amplifier, "id", "effect", "tier", "first", "second", "first_above_mg", "why",
                           "references")
    seed.reasoning = rows(models.ReasoningRule, "kind", "id", "position", "data")
    return seed
