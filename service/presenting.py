"""A check result as the API's JSON, built directly (the marshmallow schemas document it).

Dumping the nested result through marshmallow cost more than the check itself; this builds the
same document from plain data, reusing each seed flag's JSON, and tests hold it equal to the
schema's dump (tests/test_presenting.py).
"""

from __future__ import annotations

from typing import Any

from .lexicon import Condition, Reference
from .matching import CheckResult, EntryResult, Warning


def check_json(result: CheckResult) -> dict[str, Any]:
    """The body of a check response (CheckResponseSchema)."""
    return {
        "seed_version": result.seed_version,
        "medications": [entry_json(e) for e in result.entries],
        "summary": result.summary,
        "conditions": [_condition(c) for c in result.conditions],
        "unmatched_conditions": list(result.unmatched_conditions),
        "advice": result.advice,
        "warnings": [_warning(w) for w in result.warnings],
        "openfda": result.openfda,
        "evidence_sources": list(result.sources.values()),
        "disclaimer": result.disclaimer,
    }


def entry_json(entry: EntryResult) -> dict[str, Any]:
    """One medication's result (MedicationResultSchema)."""
    resolution = entry.resolution
    return {
        "input": resolution.input,
        "status": entry.status,
        "ingredients": [{"name": i.name, "match": i.match, "matched_text": i.matched_text, "via": i.via}
                        for i in resolution.ingredients],
        "flags": [f.json for f in entry.flags],
        "unrecognised": list(resolution.unrecognised),
        "suggestions": [{"name": s.name, "ingredients": list(s.ingredients)} for s in resolution.suggestions],
        "notes": list(entry.notes),
        "evidence": entry.evidence_json,
    }


def _references(references: tuple[Reference, ...]) -> list[dict[str, str]]:
    return [{"citation": r.citation, "url": r.url} for r in references]


def _condition(condition: Condition) -> dict[str, Any]:
    return {"id": condition.id, "name": condition.name, "note": condition.note,
            "references": _references(condition.references)}


def _warning(warning: Warning) -> dict[str, Any]:
    return {"code": warning.code, "message": warning.message, "references": _references(warning.references)}
