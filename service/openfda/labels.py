"""Find muscle-cramp wording in a drug label's text."""

from __future__ import annotations

import re
from typing import Any

SECTIONS = ("adverse_reactions", "warnings_and_cautions", "warnings", "precautions", "boxed_warning")
# Muscle, leg, calf or night cramps and muscle spasms; never abdominal, stomach or menstrual cramps,
# which the words before "cramps" rule out.
CRAMP_WORDING = re.compile(
    r"\b(?:(?:skeletal\s+)?muscle|muscular|leg|calf|nocturnal(?:\s+leg)?|night(?:time)?\s+leg)\s+"
    r"(?:cramps?|cramping|spasms?)\b"
    r"|\bcramps?\s+in\s+(?:the\s+)?(?:legs?|calf|calves|muscles?)\b",
    re.IGNORECASE,
)
SNIPPET_CHARS = 90


def find_cramp_wording(label: dict[str, Any]) -> tuple[str, str] | None:
    """The first section and snippet that mention muscle cramps or spasms, or None."""
    for section in SECTIONS:
        for text in label.get(section) or ():
            if not isinstance(text, str):
                continue
            match = CRAMP_WORDING.search(text)
            if match:
                start = max(0, match.start() - SNIPPET_CHARS)
                end = min(len(text), match.end() + SNIPPET_CHARS)
                snippet = " ".join(text[start:end].split())
                return section, ("..." if start else "") + snippet + ("..." if end < len(text) else "")
    return None


def label_url(set_id: str) -> str:
    return f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}"
