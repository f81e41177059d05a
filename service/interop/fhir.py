"""FHIR R4 medication lists: the entries CrampCheck can check, and an OperationOutcome for the rest.

Resources are validated with fhir.resources' R4B models (field for field the same as R4 for these
resources); codes come from `coding` (RxNorm, NDC), names from `text` and `display`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.operationoutcome import OperationOutcome
from pydantic import ValidationError

from ..codes import FHIR_SYSTEMS, NDC, RXNORM
from ..entries import MedicationEntry

ACCEPTED = ("Bundle", "List", "MedicationStatement", "MedicationRequest")
MEDICATION_USES = ("MedicationStatement", "MedicationRequest")
# Statuses of a statement or request that say the medicine is not being taken (now or ever).
NOT_TAKEN = {
    "entered-in-error": "entered in error", "stopped": "stopped", "completed": "completed (no longer taken)",
    "cancelled": "cancelled", "not-taken": "not taken",
}


class FhirInputError(ValueError):
    """A body that is not a FHIR resource CrampCheck can read; `errors` lists what is wrong."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []


@dataclass
class FhirMedications:
    """What was read: the entries to check (with where each came from) and what was not used."""

    entries: list[MedicationEntry] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)  # FHIRPath of each entry's resource
    issues: list[dict[str, Any]] = field(default_factory=list)  # OperationOutcome issues

    def skip(self, expression: str, severity: str, code: str, diagnostics: str) -> None:
        self.issues.append({"severity": severity, "code": code, "diagnostics": diagnostics,
                            "expression": [expression]})

    def outcome(self) -> dict[str, Any]:
        """The OperationOutcome for what was not used (one informational issue when all was)."""
        issues = self.issues or [{"severity": "information", "code": "informational",
                                  "diagnostics": "Every medication entry was read."}]
        return OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": issues}).model_dump(
            mode="json", exclude_none=True)


def validate(document: Any) -> Any:
    """The resource as a fhir.resources model; FhirInputError when it is not a valid one we read."""
    if not isinstance(document, dict):
        raise FhirInputError("The body must be a FHIR resource: a JSON object with a resourceType.")
    kind = document.get("resourceType")
    if kind not in ACCEPTED:
        raise FhirInputError(f"resourceType must be one of {', '.join(ACCEPTED)}; got {str(kind)[:60]!r}.")
    try:
        return get_fhir_model_class(kind).model_validate(document)
    except ValidationError as error:
        raise FhirInputError(
            f"The {kind} is not valid FHIR R4.",
            [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:20]],
        ) from None


def read(document: Any) -> FhirMedications:
    """Read a Bundle, a List, or one MedicationStatement or MedicationRequest."""
    resource = validate(document)
    found = FhirMedications()
    if resource.get_resource_type() == "Bundle":
        _read_bundle(resource, found)
    elif resource.get_resource_type() == "List":
        _read_list(resource, "List", {}, found, resource)
    else:
        _read_use(resource, resource.get_resource_type(), {}, found, resource)
    return found


def _read_bundle(bundle: Any, found: FhirMedications) -> None:
    index: dict[str, Any] = {}
    for entry in bundle.entry or ():
        if entry.resource is None:
            continue
        kind = entry.resource.get_resource_type()
        if entry.resource.id:
            index[f"{kind}/{entry.resource.id}"] = entry.resource
        if entry.fullUrl:
            index[entry.fullUrl] = entry.resource
    for number, entry in enumerate(bundle.entry or ()):
        where = f"Bundle.entry[{number}].resource"
        resource = entry.resource
        kind = resource.get_resource_type() if resource is not None else None
        if kind in MEDICATION_USES:
            _read_use(resource, where, index, found, resource)
        elif kind == "List":
            _read_list(resource, where, index, found, resource)
        elif kind not in ("Medication", "Patient", None):
            found.skip(where, "information", "not-supported", f"A {kind} is not a medication entry; not used.")


def _read_list(resource: Any, where: str, index: dict[str, Any], found: FhirMedications, container: Any) -> None:
    if resource.status == "entered-in-error":
        found.skip(where, "information", "informational", "The List was entered in error; not checked.")
        return
    for number, item in enumerate(resource.entry or ()):
        item_where = f"{where}.entry[{number}].item"
        if item.deleted:
            found.skip(item_where, "information", "informational", "Marked deleted in the List; not checked.")
            continue
        target = _resolve(item.item.reference, index, container) if item.item.reference else None
        if target is not None and target.get_resource_type() in MEDICATION_USES:
            _read_use(target, item_where, index, found, target)
        elif target is not None and target.get_resource_type() == "Medication":
            _add(found, item_where, _concept(target.code), None)
        elif item.item.display:
            found.entries.append(MedicationEntry(item.item.display))
            found.expressions.append(item_where)
        else:
            found.skip(item_where, "warning", "not-found",
                       "The List item points to a resource that is not in the body and has no display text.")


def _read_use(resource: Any, where: str, index: dict[str, Any], found: FhirMedications, container: Any) -> None:
    kind = resource.get_resource_type()
    if resource.status in NOT_TAKEN:
        found.skip(where, "information", "informational",
                   f"{kind} with status '{resource.status}' ({NOT_TAKEN[resource.status]}): not checked.")
        return
    if resource.medicationCodeableConcept is not None:
        concept = _concept(resource.medicationCodeableConcept)
    else:
        reference = resource.medicationReference.reference
        medication = _resolve(reference, index, container) if reference else None
        if medication is None or medication.get_resource_type() != "Medication":
            display = resource.medicationReference.display
            if display:
                concept = (display, None, None)
            else:
                found.skip(where, "warning", "not-found",
                           f"medicationReference '{reference}' is not in the body (contained or bundled).")
                return
        else:
            concept = _concept(medication.code)
    _add(found, where, concept, _started(resource))


def _add(found: FhirMedications, where: str, concept: tuple[str | None, str | None, str | None],
         started: date | None) -> None:
    text, rxcui, ndc = concept
    if not (text or rxcui or ndc):
        found.skip(where, "warning", "required", "The medication has neither a name (text, display) nor an "
                   "RxNorm or NDC code.")
        return
    found.entries.append(MedicationEntry(text or "", rxcui, ndc, started))
    found.expressions.append(where)


def _concept(concept: Any) -> tuple[str | None, str | None, str | None]:
    """(name, RXCUI, NDC) of a CodeableConcept: its text, else a coding's display; its first codes."""
    if concept is None:
        return None, None, None
    codes = {RXNORM: None, NDC: None}
    display = None
    for coding in concept.coding or ():
        system = FHIR_SYSTEMS.get(coding.system or "")
        if system and coding.code and codes[system] is None:
            codes[system] = coding.code.strip()
        display = display or coding.display
    return concept.text or display, codes[RXNORM], codes[NDC]


def _resolve(reference: str, index: dict[str, Any], container: Any) -> Any:
    """A referenced resource: contained ('#id') in the container, else an entry of the Bundle."""
    if reference.startswith("#"):
        return next((r for r in container.contained or () if r.id == reference[1:]), None)
    return index.get(reference) or index.get("/".join(reference.rstrip("/").split("/")[-2:]))


def _started(resource: Any) -> date | None:
    """When the medicine was started, as far as the resource says (statement's effective time, request's date)."""
    period = getattr(resource, "effectivePeriod", None)
    when = (getattr(resource, "effectiveDateTime", None) or getattr(resource, "authoredOn", None)
            or (period.start if period is not None else None))
    if isinstance(when, datetime):
        return when.date()
    return when if isinstance(when, date) else None
