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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import OpenFDACache, utcnow
from ..text import name_key, strip_salt
from .client import OpenFDAClient, OpenFDAError, quote
from .labels import find_cramp_wording, label_url
from .signals import disproportionality

log = logging.getLogger(__name__)
KINDS = ("label", "faers", "class")
REACTION = "MUSCLE SPASMS"  # the MedDRA preferred term that muscle cramps are coded under
FAERS_CAVEAT = (
    "FAERS holds spontaneous reports: they do not show that a drug caused a reaction and cannot "
    "estimate how often it happens. A disproportionality signal is a screening flag, not evidence of risk."
)


class DatabaseCache:
    """Cached lookups in the database; every web and worker process shares it."""

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        rows = db.session.execute(
            select(OpenFDACache.key, OpenFDACache.value).where(OpenFDACache.key.in_(list(keys)),
                                                                OpenFDACache.expires_at > utcnow())
        )
        return {key: json.loads(value) for key, value in rows}

    def set(self, key: str, value: Any, ttl: timedelta) -> None:
        db.session.execute(delete(OpenFDACache).where(OpenFDACache.key == key))
        db.session.add(OpenFDACache(key=key, value=json.dumps(value), expires_at=utcnow() + ttl))
        try:
            db.session.commit()
        except IntegrityError:  # another worker cached it at the same moment
            db.session.rollback()


def cache_key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


@dataclass
class EvidenceReport:
    """What openFDA said about a set of ingredients, and what it could not be asked in time."""

    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    not_checked: list[str] = field(default_factory=list)
    last_updated: str | None = None
    status: str = "ok"


class EvidenceService:
    def __init__(self, client: OpenFDAClient, cache: DatabaseCache, pharm_classes: Callable[[], dict[str, str]],
                 ttl: dict[str, timedelta], clock: Callable[[], float]):
        self.client = client
        self.cache = cache
        self.pharm_classes = pharm_classes
        self.ttl = ttl
        self.clock = clock
        self._fetch = {"label": self._label, "faers": self._faers, "class": self._class}

    def lookup(self, ingredients: Iterable[str], deadline: float | None) -> EvidenceReport:
        """Evidence of every kind for each ingredient, from the cache or openFDA, until the deadline."""
        ingredients = list(dict.fromkeys(ingredients))
        wanted = {(i, kind): cache_key(kind, i) for i in ingredients for kind in KINDS}
        cached = self.cache.get_many(wanted.values())
        report = EvidenceReport()
        unchecked: set[str] = set()
        for (ingredient, kind), key in wanted.items():
            entry = cached.get(key)
            if entry is None and ingredient not in unchecked:
                try:
                    entry = self._fetch[kind](ingredient, deadline)
                except OpenFDAError as error:
                    log.info("openFDA %s lookup not done: %s", kind, type(error).__name__)
                else:
                    self.cache.set(key, entry, self.ttl[kind])
            if entry is None:
                unchecked.add(ingredient)
            else:
                report.entries.setdefault(ingredient, []).append(entry)
        report.not_checked = [i for i in ingredients if i in unchecked]
        dates = [e["last_updated"] for entries in report.entries.values() for e in entries if e.get("last_updated")]
        report.last_updated = max(dates, default=None)
        if not report.not_checked:
            report.status = "ok"
        else:
            report.status = "partial" if report.entries else "unavailable"
        return report

    def _label(self, ingredient: str, deadline: float | None) -> dict[str, Any]:
        name = quote(ingredient)
        body = self.client.search("drug/label", f"openfda.generic_name:{name} OR openfda.substance_name:{name}",
                                  limit=10, deadline=deadline, sort="effective_time:desc")
        entry: dict[str, Any] = {"source": "label", "ingredient": ingredient, "found": False, "mentions_cramps": False}
        # The phrase search also finds combination products; keep a label of this ingredient alone.
        label = next((r for r in (body or {}).get("results", []) if _is_label_of(r, ingredient)), None)
        if label is None:
            entry["last_updated"] = ((body or {}).get("meta") or {}).get("last_updated")
            return entry
        wording = find_cramp_wording(label)
        entry.update(
            found=True, mentions_cramps=wording is not None,
            section=wording[0] if wording else None, snippet=wording[1] if wording else None,
            set_id=label.get("set_id"), effective_time=label.get("effective_time"),
            url=label_url(label["set_id"]) if label.get("set_id") else None,
            last_updated=(body.get("meta") or {}).get("last_updated"),
        )
        return entry

    def _faers(self, ingredient: str, deadline: float | None) -> dict[str, Any]:
        drug = f"patient.drug.openfda.generic_name:{quote(ingredient)}"
        reaction = f"patient.reaction.reactionmeddrapt.exact:{quote(REACTION)}"
        with_both, updated = self.client.total("drug/event", f"{drug} AND {reaction}", deadline)
        with_drug, _ = self.client.total("drug/event", drug, deadline)
        with_event = self._shared_total("faers-reaction", reaction, deadline)
        total = self._shared_total("faers-all", None, deadline)
        d = disproportionality(with_both, with_drug, with_event, total)
        return {
            "source": "faers", "ingredient": ingredient, "reaction": REACTION,
            "reports_with_drug_and_reaction": d.a, "reports_with_drug": with_drug,
            "reports_with_reaction": with_event, "reports_total": total,
            "prr": _round(d.prr), "prr_ci_low": _round(d.ci_low), "prr_ci_high": _round(d.ci_high),
            "chi_square": _round(d.chi_square), "signal": d.signal, "caveat": FAERS_CAVEAT, "last_updated": updated,
        }

    def _shared_total(self, name: str, search: str | None, deadline: float | None) -> int:
        """Totals every ingredient's FAERS table shares, cached on their own."""
        key = cache_key(name, search or "")
        cached = self.cache.get_many([key]).get(key)
        if cached is not None:
            return cached
        value, _ = self.client.total("drug/event", search, deadline)
        self.cache.set(key, value, self.ttl["faers"])
        return value

    def _class(self, ingredient: str, deadline: float | None) -> dict[str, Any]:
        body = self.client.search("drug/ndc", f"generic_name:{quote(ingredient)}", limit=10, deadline=deadline)
        classes = sorted({c for r in (body or {}).get("results", []) for c in r.get("pharm_class") or []
                          if isinstance(c, str) and c.endswith("[EPC]")})
        known = self.pharm_classes()  # the seed's EPC -> class map, as loaded now
        matched = next((known[c.lower()] for c in classes if c.lower() in known), None)
        return {"source": "class", "ingredient": ingredient, "pharm_classes": classes, "matched_class_id": matched,
                "last_updated": ((body or {}).get("meta") or {}).get("last_updated")}


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
