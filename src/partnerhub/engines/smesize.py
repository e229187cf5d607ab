"""Size class of an enterprise per the EU SME definition (Commission Recommendation 2003/361/EC).

An enterprise is in a class when its staff headcount is below the ceiling AND either its annual turnover
or its balance-sheet total is within the class's limit. Unknown money figures do not disqualify: with only
a headcount we decide by headcount alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SizeClass(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


@dataclass(frozen=True)
class Ceiling:
    size: SizeClass
    staff_below: int
    turnover_max_eur: int
    balance_max_eur: int


CEILINGS = (
    Ceiling(SizeClass.MICRO, 10, 2_000_000, 2_000_000),
    Ceiling(SizeClass.SMALL, 50, 10_000_000, 10_000_000),
    Ceiling(SizeClass.MEDIUM, 250, 50_000_000, 43_000_000),
)


def size_class(
    headcount: int | None, turnover_eur: int | None = None, balance_sheet_eur: int | None = None
) -> SizeClass | None:
    """The EU size class, or None when the headcount is unknown."""
    if headcount is None:
        return None
    if headcount < 0 or (turnover_eur or 0) < 0 or (balance_sheet_eur or 0) < 0:
        raise ValueError("headcount and money figures cannot be negative")
    for ceiling in CEILINGS:
        if headcount >= ceiling.staff_below:
            continue
        if turnover_eur is None and balance_sheet_eur is None:
            return ceiling.size
        turnover_ok = turnover_eur is not None and turnover_eur <= ceiling.turnover_max_eur
        balance_ok = balance_sheet_eur is not None and balance_sheet_eur <= ceiling.balance_max_eur
        if turnover_ok or balance_ok:
            return ceiling.size
    return SizeClass.LARGE
