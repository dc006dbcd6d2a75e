"""Care settings in plain words, and where a text names them.

The settings a case template's `contexts[].setting` usually holds ("primary care", "hospice"),
each with the words reports use for it, written from how health services describe themselves
(not from any document of the corpus). `settings_in` counts each setting's mentions in a list of
texts and keeps the first, so a document's case can be given the setting its own text names most
(graph/document_cases.py), with that first mention as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

#: setting -> the words that name it (case-insensitive, whole words, not inside a hyphenated
#: compound; plurals written out).
SETTINGS: dict[str, tuple[str, ...]] = {
    "primary care": (
        "primary care", "general practice", "general practices", "GP practice", "GP practices",
        "GP surgery", "GP surgeries", "family medicine", "primary care network", "primary care networks",
        "primary care clinic", "primary care clinics",
    ),
    "community services": (
        "community services", "community health services", "community nursing", "district nursing",
        "district nurses", "community teams", "community health team",
    ),
    "mental health services": (
        "mental health services", "mental health service", "mental health trust", "CAMHS",
        "child and adolescent mental health", "psychiatric services", "psychiatric unit",
    ),
    "acute hospital": (
        "acute hospital", "acute hospitals", "acute trust", "acute trusts", "hospital ward",
        "hospital wards", "inpatient ward", "inpatient wards", "secondary care",
    ),
    "outpatient clinics": ("outpatient clinic", "outpatient clinics", "outpatient department"),
    "hospice and palliative care": (
        "hospice", "hospices", "palliative care", "end of life care", "end-of-life care",
    ),
    "care homes": ("care home", "care homes", "nursing home", "nursing homes", "residential care"),
    "maternity services": ("maternity services", "maternity service", "maternity care", "midwifery"),
    "renal services": ("renal unit", "renal units", "dialysis unit", "dialysis units", "haemodialysis"),
    "urgent and emergency care": (
        "emergency department", "emergency departments", "A&E", "urgent care", "ambulance service",
    ),
    "pharmacy": ("community pharmacy", "community pharmacies", "pharmacy services"),
    "social care": ("social care", "social services", "adult social care"),
    "voluntary sector": ("voluntary sector", "voluntary organisations", "third sector", "charities"),
}  # fmt: skip


@dataclass(frozen=True)
class Mentions:
    """How often one setting is named in some texts, and its first mention (text index, span)."""

    setting: str
    count: int
    text: int
    start: int
    end: int


@cache
def _pattern(setting: str) -> re.Pattern[str]:
    words = sorted(SETTINGS[setting], key=len, reverse=True)
    return re.compile(r"(?<![\w&-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w&-])", re.I)


def settings_in(texts: list[str]) -> list[Mentions]:
    """Every setting named in `texts`, most mentioned first (ties: the order of :data:`SETTINGS`)."""
    found: list[Mentions] = []
    for setting in SETTINGS:
        count, first = 0, None
        for i, text in enumerate(texts):
            for m in _pattern(setting).finditer(text):
                count += 1
                first = first or (i, m.start(), m.end())
        if first:
            found.append(Mentions(setting, count, *first))
    return sorted(found, key=lambda m: -m.count)
