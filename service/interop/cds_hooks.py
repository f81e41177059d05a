"""A CDS Hooks 2.0 service: which medicines on an order or a patient's list are associated with cramps.

Cards never suggest prescribing actions: no "stop", no "change", no suggestions or system actions.
Medications come from the hook's draft orders and its prefetch, or (when prefetch is missing) from
the client's FHIR server with the access token it sent.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema_rs
import orjson
import requests

from .. import messages
from ..matching import CheckResult, EntryResult
from . import fhir

SCHEMA_FILE = Path(__file__).with_name("cds_hooks.schema.json")
PREFETCH = {
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}&status=active",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}&status=active",
}
SERVICES = {
    "crampcheck-order-select": ("order-select", "CrampCheck: cramp-associated medicines in the selected orders",
                                "orderSelectContext"),
    "crampcheck-order-sign": ("order-sign", "CrampCheck: cramp-associated medicines in the orders to sign",
                              "orderSignContext"),
    "crampcheck-patient-view": ("patient-view", "CrampCheck: cramp-associated medicines on the patient's list",
                                "patientViewContext"),
}
DESCRIPTION = (
    "Says which medicines are associated with muscle cramps in published evidence (evidence tier, sources), "
    "and which combinations on the list raise the risk of muscle toxicity or electrolyte loss. Information "
    "for the prescriber or pharmacist; it never recommends stopping or changing a medicine."
)
MAX_SUMMARY = 139
EFFECTS = {"muscle": "muscle toxicity", "potassium": "low potassium", "magnesium": "low magnesium"}
FHIR_TIMEOUT_SECONDS = 3
FHIR_MAX_BYTES = 5 * 1024 * 1024


class HookError(ValueError):
    """A hook request CrampCheck cannot use; `status` is 400 (malformed) or 412 (data unobtainable)."""

    def __init__(self, status: int, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.status, self.errors = status, errors or []


@cache
def _validator(name: str) -> Any:
    schema = json.loads(SCHEMA_FILE.read_text())
    return jsonschema_rs.validator_for({**schema, "$ref": f"#/$defs/{name}"})


def schema_errors(name: str, document: Any) -> list[str]:
    """What makes a document invalid against a CDS Hooks schema ($defs name); empty when valid."""
    try:
        return [f"{'/'.join(map(str, e.instance_path)) or '(body)'}: {e.message}"[:300]
                for e in islice(_validator(name).iter_errors(document), 20)]
    except ValueError:  # the validator refuses documents nested too deeply to walk
        return ["(body): nested too deeply to validate."]


def discovery() -> dict[str, Any]:
    return {"services": [
        {"hook": hook, "title": title, "description": DESCRIPTION, "id": service_id, "prefetch": dict(PREFETCH)}
        for service_id, (hook, title, _) in SERVICES.items()
    ]}


@dataclass
class HookMedications:
    """The list to check: draft orders first, then the patient's active medicines."""

    entries: list[Any]
    focus: set[int]  # indexes of the entries the cards are about (selected or draft orders; all on patient-view)


def medications(service_id: str, request: dict[str, Any], fetch: Callable[[str, str, dict[str, Any]], Any]) -> HookMedications:
    """Read a validated hook request's medications; HookError when they cannot be read or obtained."""
    hook, _, context_schema = SERVICES[service_id]
    if request["hook"] != hook:
        raise HookError(400, f"This service answers the {hook} hook; the request is for {request['hook']!r}.")
    context = request["context"]
    errors = schema_errors(context_schema, context)
    if errors:
        raise HookError(400, f"The {hook} context is not valid.", errors)
    entries, focus = [], set()
    if "draftOrders" in context:
        drafts = _read(_normalise(context["draftOrders"]), "context.draftOrders")
        selected = set(context.get("selections") or ())
        for entry, expression in zip(drafts.entries, drafts.expressions, strict=True):
            resource = _at(context["draftOrders"], expression)
            reference = f"{resource.get('resourceType')}/{resource.get('id')}"
            if not selected or reference in selected:
                focus.add(len(entries))
            entries.append(entry)
    for key, template in PREFETCH.items():
        bundle = (request.get("prefetch") or {}).get(key)
        if not isinstance(bundle, dict) or bundle.get("resourceType") == "OperationOutcome":
            bundle = fetch(request.get("fhirServer") or "", template.replace("{{context.patientId}}",
                                                                             str(context["patientId"])), request)
        if bundle is None:
            continue
        for entry in _read(bundle, f"prefetch.{key}").entries:
            if hook == "patient-view":
                focus.add(len(entries))
            entries.append(entry)
    return HookMedications(entries, focus)


def server_fetcher(allowed: tuple[str, ...]) -> Callable[[str, str, dict[str, Any]], Any]:
    """Fetch prefetch data from FHIR servers under these URL prefixes (any https server when empty)."""

    def fetch(server: str, query: str, request: dict[str, Any]) -> Any:
        if not server:
            raise HookError(412, "Prefetch data is missing and the request names no fhirServer to fetch it from.")
        if not (server.startswith(allowed) if allowed else server.startswith("https://")):
            raise HookError(412, "Prefetch data is missing and this service does not fetch from that fhirServer "
                                 "(it must be https, and on the deployment's allow-list when it has one).")
        return fetch_from_server(server, query, request)

    return fetch


def fetch_from_server(server: str, query: str, request: dict[str, Any],
                      session: requests.Session | None = None) -> dict[str, Any] | None:
    """A prefetch query the client did not answer, asked of its FHIR server (no redirects, bounded)."""
    headers = {"Accept": "application/fhir+json"}
    token = (request.get("fhirAuthorization") or {}).get("access_token")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with (session or requests).get(f"{server.rstrip('/')}/{query}", headers=headers, timeout=FHIR_TIMEOUT_SECONDS,
                                       stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise HookError(412, f"The FHIR server answered {response.status_code} to a prefetch query.")
            body = response.raw.read(FHIR_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise HookError(412, f"The FHIR server could not be reached ({type(error).__name__}).") from None
    if len(body) > FHIR_MAX_BYTES:
        raise HookError(412, "The FHIR server's answer is larger than CrampCheck reads.")
    try:
        return orjson.loads(body)  # depth- and size-limited: a hostile server's answer cannot raise past here
    except ValueError:
        raise HookError(412, "The FHIR server's answer is not JSON.") from None


def _read(document: Any, where: str) -> fhir.FhirMedications:
    try:
        return fhir.read(document)
    except fhir.FhirInputError as error:
        raise HookError(400, f"{where}: {error}", error.errors) from None


def _normalise(bundle: Any) -> Any:
    """Mend what the specification's own examples get wrong (no Bundle.type; doseAndRate as an object)."""
    if not isinstance(bundle, dict):
        return bundle
    bundle = copy.deepcopy(bundle)
    bundle.setdefault("type", "collection")
    for entry in bundle.get("entry") or ():
        for dosage in (entry.get("resource") or {}).get("dosageInstruction") or ():
            if isinstance(dosage.get("doseAndRate"), dict):
                dosage["doseAndRate"] = [dosage["doseAndRate"]]
    return bundle


def _at(document: dict[str, Any], expression: str) -> dict[str, Any]:
    """The resource at 'Bundle.entry[n].resource'."""
    number = int(expression.split("[", 1)[1].split("]", 1)[0])
    return document["entry"][number]["resource"]


def cards(result: CheckResult, focus: set[int], page_url: str) -> list[dict[str, Any]]:
    """A card per flagged medicine in focus and per combination involving one."""
    source = {"label": "CrampCheck", "url": page_url}
    # The list travels in the fragment, which browsers never send to the server (no list in any log).
    listed = "\n".join(e.resolution.input for e in result.entries)
    link = [{"label": "Open this list in CrampCheck", "url": f"{page_url}#list={quote(listed, safe='')}",
             "type": "absolute"}]
    out = []
    in_combination = {i for a in result.amplifiers for i in range(len(result.entries)) if a.involves(i)}
    for index in sorted(focus):
        entry = result.entries[index]
        if entry.status != "flagged":
            continue
        strong = any(f.tier == "strong" for f in entry.flags)
        out.append({
            "uuid": str(uuid.uuid4()),
            "summary": _summary(entry),
            "indicator": "warning" if strong or index in in_combination else "info",
            "detail": _flag_detail(entry),
            "source": source, "links": link,
        })
    for found in result.amplifiers:
        if not any(found.involves(i) for i in focus):
            continue
        first, second = found.medicines
        data = found.json(result.entries)
        risk = EFFECTS[found.amplifier.effect]
        summary = f"{first.capitalize()} with {second}: raised risk of {risk}"
        detail = [f"**{first} with {second}**: raised risk of {risk} ({found.amplifier.tier} evidence). "
                  f"{found.amplifier.why}"]
        if data["dose_note"]:
            detail.append(data["dose_note"])
        detail += [_references(found.amplifier.references), messages.CDS_ADVICE]
        out.append({"uuid": str(uuid.uuid4()), "summary": summary[:MAX_SUMMARY], "indicator": "warning",
                    "detail": "\n\n".join(detail), "source": source, "links": link})
    return out


def _summary(entry: EntryResult) -> str:
    flag = min(entry.flags, key=lambda f: ("strong", "moderate", "weak").index(f.tier))
    text = f"{entry.resolution.input}: {flag.ingredient} is associated with muscle cramps ({flag.tier} evidence)"
    if len(text) > MAX_SUMMARY:
        text = f"{flag.ingredient.capitalize()} is associated with muscle cramps ({flag.tier} evidence)"
    return text[:MAX_SUMMARY]


def _flag_detail(entry: EntryResult) -> str:
    parts = []
    for flag in entry.flags:
        parts.append(f"**{flag.ingredient}**: {flag.drug_class.name}, {flag.tier} evidence. {flag.drug_class.mechanism}")
        if flag.drug_class.key_figure:
            parts.append(flag.drug_class.key_figure)
        parts.append(_references(flag.references))
    return "\n\n".join(parts + [messages.CDS_ADVICE])


def _references(references: tuple[Any, ...]) -> str:
    return "\n".join(f"- [{r.citation}]({r.url})" for r in references)
