"""Disproportionality of FAERS reports: the proportional reporting ratio (PRR) and Evans criteria."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Disproportionality:
    a: int  # reports with the drug and the reaction
    b: int  # with the drug, without the reaction
    c: int  # without the drug, with the reaction
    d: int  # neither
    prr: float | None
    ci_low: float | None
    ci_high: float | None
    chi_square: float | None

    @property
    def signal(self) -> bool:
        """Evans criteria: at least 3 reports, PRR at least 2 and chi-square at least 4."""
        return self.a >= 3 and (self.prr or 0) >= 2 and (self.chi_square or 0) >= 4


def disproportionality(with_drug_and_event: int, with_drug: int, with_event: int, total: int) -> Disproportionality:
    """PRR with its 95% CI and a chi-square (no continuity correction) from four report counts."""
    a = with_drug_and_event
    b = max(with_drug - a, 0)
    c = max(with_event - a, 0)
    d = max(total - a - b - c, 0)
    if a == 0 or (a + b) == 0 or c == 0 or (c + d) == 0:
        return Disproportionality(a, b, c, d, None, None, None, None)
    prr = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    n = a + b + c + d
    denominator = (a + b) * (c + d) * (a + c) * (b + d)
    chi_square = (a * d - b * c) ** 2 * n / denominator if denominator else None
    return Disproportionality(a, b, c, d, prr, math.exp(math.log(prr) - 1.96 * se),
                              math.exp(math.log(prr) + 1.96 * se), chi_square)
