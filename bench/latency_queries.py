"""Queries for the latency benchmarks: what staff might type, in their own words (invented here).

`query_texts(rng)` returns distinct texts built from a few dozen openings, problems and contexts,
so every timed request in a phase is new (no cache can answer it). `FILTERS` are realistic
filter choices for the API's query parameters.
"""

from __future__ import annotations

from random import Random

OPENINGS = (
    "we are rolling out a virtual ward for frail patients",
    "our practice wants to start group clinics for diabetes",
    "remote blood pressure monitoring at home",
    "introducing video physiotherapy appointments",
    "a nurse-led clinic for heart failure",
    "pharmacists reviewing medicines in care homes",
    "online triage forms in general practice",
    "falls prevention classes in the community",
    "sharing discharge letters electronically with GPs",
    "a crisis phone line for mental health",
    "hospital at home for people with breathing problems",
    "screening for frailty in the emergency department",
    "a patient app to manage asthma",
    "text reminders to cut missed appointments",
    "coaching practices in quality improvement",
    "training midwives with emergency simulations",
    "link workers for social prescribing",
    "photo referrals for skin conditions",
    "a shared care record across the region",
    "stop smoking support for pregnant women",
)
PROBLEMS = (
    "nurses have no time to learn it",
    "staff keep leaving after training",
    "the IT systems do not talk to each other",
    "funding stops when the pilot ends",
    "consultants are sceptical",
    "older patients are not online",
    "information governance is taking forever",
    "winter pressures push it aside",
    "receptionists are overloaded",
    "the champion who led it has left",
    "patients prefer face to face",
    "data is recorded differently at each site",
    "equipment is hard to set up",
    "poor broadband in rural areas",
    "what helped other teams get clinicians on board",
    "which approaches worked to keep it going",
    "how did others fund it after the pilot",
    "did audit and feedback help",
)
CONTEXTS = (
    "", "in primary care", "in a busy acute hospital", "across care homes", "in a rural area",
    "in community nursing", "for mental health services", "in Scotland", "in the North East",
    "in maternity services", "at a small hospice", "in outpatient clinics",
)  # fmt: skip
FILTERS: list[dict[str, object]] = [
    {"setting": "primary care"},
    {"setting": "care homes"},
    {"country": "Scotland"},
    {"country": "london"},
    {"innovation_type": "digital"},
    {"innovation_type": "care pathway"},
    {"cfir_domain": "inner setting"},
    {"cfir_domain": "IV"},
    {"eric_cluster": "train and educate"},
    {"eric_cluster": "1"},
    {"outcome_direction": "improved"},
    {"source_type": "evaluation"},
    {"year_from": 2018},
    {"year_to": 2015},
    {"sector": "voluntary"},
]


def query_texts(rng: Random, n: int = 3000) -> list[str]:
    """`n` distinct queries (opening, problem, context) in random order."""
    combos = [(o, p, c) for o in OPENINGS for p in PROBLEMS for c in CONTEXTS]
    rng.shuffle(combos)
    out = []
    for opening, problem, context in combos[:n]:
        joiner = rng.choice((" but ", " and ", "; ", ": "))
        out.append(f"{opening}{' ' + context if context else ''}{joiner}{problem}")
    return out
