"""openFDA evidence per ingredient: label wording, FAERS disproportionality and pharmacologic class.

Each kind is looked up once per ingredient and kept in a cache shared by every worker (hits and
misses alike), so a check costs openFDA calls only the first time, and a batch of repeated drugs
costs one lookup per drug and kind. Lookups stop at the caller's deadline; what was not looked up
is reported as not checked, never guessed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import messages
from ..evidence import SourceReport
from ..metrics import OPENFDA_CACHE
from ..models import OpenFDACache, utcnow
from ..text import name_key, strip_salt
from .client import OpenFDAClient, OpenFDAError, quote
from .labels import find_cramp_wording, label_url
from .records import ClassEvidence, FaersEvidence, LabelEvidence, from_json
from .signals import disproportionality

log = logging.getLogger(__name__)
KINDS = ("label", "faers", "class")
REACTION = "MUSCLE SPASMS"  # the MedDRA preferred term that muscle cramps are coded under
FAERS_CAVEAT = (
    "FAERS holds spontaneous reports: they do not show that a drug caused a reaction and cannot "
    "estimate how often it happens. A disproportionality signal is a screening flag, not evidence of risk."
)
Record = LabelEvidence | FaersEvidence | ClassEvidence


class DatabaseCache:
    """Cached lookups in the database, shared by every web and worker process.

    It uses connections of its own, so a write commits only the cache entry, never the caller's
    session (a request's or a job's).
    """

    def __init__(self, engine: Callable[[], Engine]):
        self.engine = engine

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        wanted = list(keys)
        query = select(OpenFDACache.key, OpenFDACache.value).where(OpenFDACache.key.in_(wanted),
                                                                   OpenFDACache.expires_at > utcnow())
        with self.engine().connect() as connection:
            found = {key: json.loads(value) for key, value in connection.execute(query)}
        OPENFDA_CACHE.labels("hit").inc(len(found))
        OPENFDA_CACHE.labels("miss").inc(len(set(wanted)) - len(found))
        return found

    def set(self, key: str, value: Any, ttl: timedelta) -> None:
        """Store or replace an entry in one statement (the database's own ON CONFLICT upsert)."""
        engine = self.engine()
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        values = {"key": key, "value": json.dumps(value), "expires_at": utcnow() + ttl}
        statement = insert(OpenFDACache).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[OpenFDACache.key],
            set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
        )
        with engine.begin() as connection:
            connection.execute(statement)


def cache_key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


class OpenFDASource:
    """openFDA as an evidence source: label wording, FAERS disproportionality and pharmacologic class."""

    name = "openfda"
    disclaimer = messages.OPENFDA_DISCLAIMER

    def __init__(self, client: OpenFDAClient, cache: DatabaseCache, pharm_classes: Callable[[], dict[str, str]],
                 ttl: dict[str, timedelta], clock: Callable[[], float], budget_seconds: float):
        self.client = client
        self.cache = cache
        self.pharm_classes = pharm_classes
        self.ttl = ttl
        self.clock = clock
        self.budget_seconds = budget_seconds
        self._fetch: dict[str, Callable[[str, float | None], Record]] = {
            "label": self._label, "faers": self._faers, "class": self._class}

    def lookup(self, ingredients: Sequence[str], deadline: float | None) -> SourceReport:
        """Evidence of every kind for each ingredient, from the cache or openFDA, until the deadline."""
        ingredients = list(dict.fromkeys(ingredients))
        wanted = {(i, kind): cache_key(kind, i) for i in ingredients for kind in KINDS}
        cached = self.cache.get_many(wanted.values())
        entries: dict[str, list[Any]] = {}
        unchecked: set[str] = set()
        for (ingredient, kind), key in wanted.items():
            record = _record(cached.get(key))
            if record is None and ingredient not in unchecked:
                try:
                    record = self._fetch[kind](ingredient, deadline)
                except OpenFDAError as error:
                    log.info("openFDA %s lookup not done: %s", kind, type(error).__name__)
                else:
                    self.cache.set(key, record.to_json(), self.ttl[kind])
            if record is None:
                unchecked.add(ingredient)
            else:
                entries.setdefault(ingredient, []).append(record)
        return SourceReport.finished(self.name, entries, ingredients, unchecked, self.disclaimer)

    def _label(self, ingredient: str, deadline: float | None) -> LabelEvidence:
        name = quote(ingredient)
        body = self.client.search("drug/label", f"openfda.generic_name:{name} OR openfda.substance_name:{name}",
                                  limit=10, deadline=deadline, sort="effective_time:desc")
        updated = ((body or {}).get("meta") or {}).get("last_updated")
        # The phrase search also finds combination products; keep a label of this ingredient alone.
        label = next((r for r in (body or {}).get("results", []) if _is_label_of(r, ingredient)), None)
        if label is None:
            return LabelEvidence(ingredient, last_updated=updated)
        wording = find_cramp_wording(label)
        return LabelEvidence(
            ingredient, found=True, mentions_cramps=wording is not None,
            section=wording[0] if wording else None, snippet=wording[1] if wording else None,
            set_id=label.get("set_id"), effective_time=label.get("effective_time"),
            url=label_url(label["set_id"]) if label.get("set_id") else None, last_updated=updated,
        )

    def _faers(self, ingredient: str, deadline: float | None) -> FaersEvidence:
        drug = f"patient.drug.openfda.generic_name:{quote(ingredient)}"
        reaction = f"patient.reaction.reactionmeddrapt.exact:{quote(REACTION)}"
        with_both, updated = self.client.total("drug/event", f"{drug} AND {reaction}", deadline)
        with_drug, _ = self.client.total("drug/event", drug, deadline)
        with_event = self._shared_total("faers-reaction", reaction, deadline)
        total = self._shared_total("faers-all", None, deadline)
        d = disproportionality(with_both, with_drug, with_event, total)
        return FaersEvidence(
            ingredient, REACTION, d.a, with_drug, with_event, total, _round(d.prr), _round(d.ci_low),
            _round(d.ci_high), _round(d.chi_square), d.signal, FAERS_CAVEAT, updated,
        )

    def _shared_total(self, name: str, search: str | None, deadline: float | None) -> int:
        """Totals every ingredient's FAERS table shares, cached on their own."""
        key = cache_key(name, search or "")
        cached = self.cache.get_many([key]).get(key)
        if cached is not None:
            return cached
        value, _ = self.client.total("drug/event", search, deadline)
        self.cache.set(key, value, self.ttl["faers"])
        return value

    def _class(self, ingredient: str, deadline: float | None) -> ClassEvidence:
        body = self.client.search("drug/ndc", f"generic_name:{quote(ingredient)}", limit=10, deadline=deadline)
        classes = sorted({c for r in (body or {}).get("results", []) for c in r.get("pharm_class") or []
                          if isinstance(c, str) and c.endswith("[EPC]")})
        known = self.pharm_classes()  # the seed's EPC -> class map, as loaded now
        matched = next((known[c.lower()] for c in classes if c.lower() in known), None)
        return ClassEvidence(ingredient, tuple(classes), matched, ((body or {}).get("meta") or {}).get("last_updated"))


    def code_names(self, system: str, codes: Sequence[str], deadline: float | None) -> list[str]:
        """The generic names of the NDC directory's products with any of these codes, cached.

        `codes` are RXCUIs, or FDA-formatted NDCs (package NDCs with two hyphens, product NDCs with
        one). Raises OpenFDAError when openFDA cannot be asked.
        """
        key = cache_key("code", f"{system}:{','.join(codes)}")
        cached = self.cache.get_many([key]).get(key)
        if isinstance(cached, list):
            return cached
        if system == "rxnorm":
            terms = [f"openfda.rxcui:{quote(code)}" for code in codes]
        else:
            terms = [f"{'packaging.package_ndc' if code.count('-') == 2 else 'product_ndc'}:{quote(code)}"
                     for code in codes]
        body = self.client.search("drug/ndc", " OR ".join(terms), limit=10, deadline=deadline)
        names = sorted({r["generic_name"] for r in (body or {}).get("results", [])
                        if isinstance(r.get("generic_name"), str)})
        self.cache.set(key, names, self.ttl["class"])
        return names


def _record(value: Any) -> Record | None:
    """A cached record, or None when there is none or it no longer fits (an older format)."""
    try:
        return from_json(value) if value is not None else None
    except (TypeError, KeyError):
        return None


def _is_label_of(label: dict[str, Any], ingredient: str) -> bool:
    """True when the label's generic or substance name is exactly this ingredient (salt words aside)."""
    names = (label.get("openfda") or {})
    for value in (*names.get("generic_name", ()), *names.get("substance_name", ())):
        key = name_key(value) if isinstance(value, str) else None
        if key and strip_salt(key) == ingredient:
            return True
    return False


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
