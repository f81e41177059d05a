"""A check result as the API's JSON, built directly (the marshmallow schemas document it).

Dumping the nested result through marshmallow cost more than the check itself; this builds the
same document from plain data, reusing the JSON each flag and entry result builds once, and
tests hold it equal to the schema's dump (tests/test_presenting.py).
"""

from __future__ import annotations

from typing import Any

from .lexicon import Condition, Reference
from .matching import CheckResult, Warning


def check_json(result: CheckResult) -> dict[str, Any]:
    """The body of a check response (CheckResponseSchema)."""
    return {
        "seed_version": result.seed_version,
        "medications": [e.json for e in result.entries],
        "summary": result.summary,
        "conditions": [_condition(c) for c in result.conditions],
        "unmatched_conditions": list(result.unmatched_conditions),
        "advice": result.advice,
        "warnings": [_warning(w) for w in result.warnings],
        "amplifiers": result.amplifiers_json,
        "attribution": result.reasoning.attribution_json,
        "checks": result.reasoning.checks_json,
        "other_causes": result.reasoning.other_causes,
        "self_care": result.reasoning.self_care,
        "openfda": result.openfda,
        "evidence_sources": list(result.sources.values()),
        "disclaimer": result.disclaimer,
    }


def _references(references: tuple[Reference, ...]) -> list[dict[str, str]]:
    return [{"citation": r.citation, "url": r.url} for r in references]


def _condition(condition: Condition) -> dict[str, Any]:
    return {"id": condition.id, "name": condition.name, "note": condition.note,
            "references": _references(condition.references)}


def _warning(warning: Warning) -> dict[str, Any]:
    return {"code": warning.code, "message": warning.message, "references": _references(warning.references)}
