"""Case attributor: split a multi-case document into Cases and attach each excerpt to one.

Cases are found by four patterns, all from the text itself (no per-document configuration):
- projects named before a programme acronym: "Pathway CtG team", "myRecord CtG project"
  (the acronym that precedes team/project after the most distinct names);
- study arms: a word used both plain and with "non-" ("coached" / "non-coached"), with an
  "X-only" phrase as an alias of the "non-" arm when there is exactly one;
- phases: "phase 1" / "phase 2" (ordinal "first/second stage" and "scale-up" as aliases);
- case-study headings ("Case study 2", or "Spotlight 3" when it names something), and an acronym
  in 3+ headings but not the title (a programme deep dive, e.g. "TCAM ..."; not a method or an
  organisation), scoped to their sections.
Arms and phases are titled with the document's innovation ("CTAC coached arm"), programmes with
their expansion, and per-site results in the document's tables attach to their programme's case
(case_naming.py, site_results.py).
An excerpt takes the case named by (1) its attribution, (2) the text just before it, (3) its
section scope, else none (document-level).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import replace

from spreadgraph.schema.document_models import Case, Excerpt, StructuredDocument
from spreadgraph.schema.names import word_key

from .case_naming import Defined, defined_acronyms, document_innovation, is_innovation, names_something
from .site_results import SiteResult, site_results

QUANTIFIERS = {
    "the",
    "all",
    "both",
    "many",
    "several",
    "some",
    "other",
    "each",
    "seven",
    "few",
    "most",
    "these",
    "those",
    "two",
    "three",
    "four",
    "five",
    "six",
    "individual",
    "a",
    "one",
    "their",
    "our",
}
NAMED_TEAM = re.compile(
    r"(?P<name>(?:[A-Z][\w()&'-]*|[a-z]{1,4}[A-Z][\w]*|of|and|in)(?: (?:[A-Z(][\w()&'-]*|of|and|in)){0,7}) "
    r"(?P<acr>[A-Z][A-Za-z]{1,4}) (?:team|project)s?\b"
)
CASE_HEADING = re.compile(r"^(Spotlight|Case study|Case example|Vignette|Box)\s+(\d+|[A-Z])\b", re.I)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def case_key(name: str) -> str:
    """A stable key: the name's lower-case words joined by '-'."""
    return word_key(name)


def _group(name: str) -> str:
    """Spellings that differ only by a final plural 's' share a group ('myRecord'/'myRecords')."""
    key = case_key(name)
    return key[:-1] if key.endswith("s") and not key.endswith("ss") else key


def _named_projects(text: str, headings: list[str]) -> list[Case]:
    found = [(m.group("name"), m.group("acr")) for m in NAMED_TEAM.finditer(text)]
    acronyms = Counter(acr for name, acr in {(n, a) for n, a in found})
    if not acronyms:
        return []
    acr, distinct = acronyms.most_common(1)[0]
    if distinct < 3:
        return []
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for name, a in found:
        words = name.split()
        while words and (words[0].lower() in QUANTIFIERS or not re.match(r"[A-Z]|[a-z]{1,4}[A-Z]", words[0])):
            words = words[1:]
        if a != acr or not words:
            continue
        name = " ".join(words)
        group = _group(name)
        counts[group] += 1
        spellings.setdefault(group, Counter())[name] += 1
    cases = []
    for group, n in counts.items():
        if n < 2:
            continue
        name = spellings[group].most_common(1)[0][0]
        key = case_key(name)
        title = next(
            (
                h
                for h in headings
                if re.search(rf"\b{re.escape(name)}\b", h)
                and len(h) > len(name)
                and len(h.split()) <= 14
                and acr not in h
            ),
            name,
        )
        variants = {name, name.rstrip("s"), name + "s"} - {""}
        cases.append(Case(key=key, title=title, kind="project", aliases=sorted(variants)))
    return cases if len(cases) >= 3 else []


def _arms(text: str) -> list[Case]:
    cases = []
    for word, n in Counter(m.lower() for m in re.findall(r"\bnon-([a-z]{4,})\b", text, re.I)).items():
        unit = r" (?:sites?|arms?|groups?|clinics?|practices?|teams?|condition)\b"
        plain = len(re.findall(rf"(?<!non-)\b{word}{unit}", text, re.I))
        n = len(re.findall(rf"\bnon-{word}{unit}", text, re.I))
        if n >= 3 and plain >= 3:
            only = set(re.findall(r"\b([a-z]+)[- ]only\b", text, re.I))
            aliases = [f"{o.lower()}-only" for o in only] if len(only) == 1 else []
            cases.append(Case(key=word, title=f"{word} arm", kind="arm", aliases=[word]))
            cases.append(
                Case(
                    key=f"non-{word}", title=f"non-{word} arm", kind="arm", aliases=[f"non-{word}", *aliases]
                )
            )
    return cases


def _phases(text: str) -> list[Case]:
    numbers = Counter(re.findall(r"\bphase (\d)\b", text, re.I))
    keep = sorted(int(n) for n, c in numbers.items() if c >= 2)
    if len(keep) < 2:
        return []
    cases = []
    for n in keep:
        aliases = [f"phase {n}"] + [
            f"{w} {k}" for w, v in ORDINALS.items() if v == n for k in ("phase", "stage")
        ]
        if n == keep[-1]:
            aliases += ["scale up", "scale-up", "scaling up"]
        cases.append(Case(key=f"phase-{n}", title=f"phase {n}", kind="phase", aliases=aliases))
    return cases


def _heading_scopes(doc: StructuredDocument, defined: dict[str, Defined]) -> list[tuple[Case, int, int]]:
    """Case-study and deep-dive cases with the text ranges they govern (case_naming.py: themes and
    methods are not cases)."""
    sections, title = doc.sections, (doc.metadata.title or "")
    scopes: list[tuple[Case, int, int]] = []
    stops = [s.start for s in sections if s.level == 1 or re.match(r"(Appendix|References|Annex)", s.title)]
    for i, sec in enumerate(sections):
        if CASE_HEADING.match(sec.title):
            nxt = sections[i + 1].title if i + 1 < len(sections) else ""
            end = min(
                [s.start for s in sections[i + 1 :] if CASE_HEADING.match(s.title)]
                + [s for s in stops if s > sec.start]
                + [len(doc.cleaned.text)]
            )
            label = f"{sec.title}: {nxt}" if nxt and not CASE_HEADING.match(nxt) else sec.title
            if not names_something(label):
                continue  # a theme of the review ("Spotlight 4: Relationships ..."), not a case
            scopes.append((Case(key=case_key(sec.title), title=label, kind="case_study"), sec.start, end))
    counts = Counter(w for s in sections for w in set(re.findall(r"\b[A-Z]{3,6}\b", s.title)))
    for acr, n in counts.items():
        if n < 3 or acr in title or acr in doc.cleaned.text[:1500]:
            continue
        known = defined.get(acr)
        if known and not is_innovation(known):
            continue  # a method or an organisation ("Qualitative Comparative Analysis (QCA)")
        name = known.name if known else acr
        case = Case(key=acr.lower(), title=name, kind="programme", aliases=[acr], innovation=name)
        for i, sec in enumerate(sections):
            if acr in sec.title:
                later = [s.start for s in sections[i + 1 :] if s.level <= sec.level]
                scopes.append((case, sec.start, later[0] if later else len(doc.cleaned.text)))
    return scopes


def _of_innovation(case: Case, innovation: Defined | None) -> Case:
    """An arm or phase titled with the innovation it is an arm or phase of ("CTAC coached arm")."""
    if innovation is None:
        return case
    title = f"{innovation.acronym} {case.title}"
    return case.model_copy(update={"title": title, "innovation": innovation.name})


def _sites_in_clean_text(doc: StructuredDocument) -> list[SiteResult]:
    """Site results read from the raw text (the cleaner flattens a table's tabs), their row spans
    moved to the cleaned text."""
    offsets, length = doc.cleaned.offsets, len(doc.cleaned.text)

    def clean(raw: int) -> int:  # first cleaned character at or after raw offset `raw`
        return bisect_left(range(length + 1), raw, key=offsets.to_raw)

    return [
        replace(r, start=clean(r.start), end=max(clean(r.start), clean(r.end)))
        for r in site_results(doc.cleaned.raw.text)
    ]


def _attach_sites(cases: dict[str, Case], found: list[SiteResult], defined: dict[str, Defined]) -> None:
    """Each site result goes to the case of the programme its measure names ("TCAM spread
    success" -> the TCAM case); a programme the text defines but has no case yet gets one, which
    holds its per-site results (adoption records). Results naming nothing known are dropped."""
    for result in found:
        key = result.acronym.lower() if result.acronym else None
        known = defined.get(result.acronym or "")
        if key not in cases and known is not None and is_innovation(known):
            cases[key] = Case(
                key=key, title=known.name, kind="programme", aliases=[known.acronym], innovation=known.name
            )
        if key in cases:
            cases[key].sites.append(result.outcome())


class CaseAttributor:
    """`run(StructuredDocument) -> StructuredDocument` with cases and each excerpt's case_key."""

    def run(self, doc: StructuredDocument) -> StructuredDocument:
        text = doc.cleaned.text
        headings = [s.title for s in doc.sections]
        innovation = document_innovation(text)
        named = _named_projects(text, headings) + [
            _of_innovation(case, innovation) for case in _arms(text) + _phases(text)
        ]
        defined = defined_acronyms(text)
        scopes = _heading_scopes(doc, defined)
        if any(c.kind == "arm" for c in named):  # arms split the programme itself: no programme case
            scopes = [sc for sc in scopes if sc[0].kind != "programme"]
        cases = {c.key: c for c in named}
        for case, _, _ in scopes:
            cases.setdefault(case.key, case)
        _attach_sites(cases, _sites_in_clean_text(doc), defined)
        if len(cases) < 2 and not scopes:
            return doc.model_copy(update={"cases": list(cases.values())})
        patterns = [
            (
                c.key,
                re.compile(
                    r"\b("
                    + "|".join(
                        re.escape(a)
                        for a in sorted(
                            {c.title if c.kind == "project" else "", *c.aliases} - {""}, key=len, reverse=True
                        )
                    )
                    + r")\b",
                    0 if c.kind in ("project", "programme") else re.I,
                ),
            )
            for c in named
        ]
        excerpts = [e.model_copy() for e in doc.excerpts]
        for e in excerpts:
            e.case_key = self._assign(e, text, patterns, scopes)
        if scopes and any(e.case_key is None for e in excerpts):
            # case studies or a deep dive inside a wider report: the rest is the report's own case
            title = doc.metadata.title or "the document"
            cases["document"] = Case(key="document", title=title, kind="document", innovation=None)
            for e in excerpts:
                e.case_key = e.case_key or "document"
        return doc.model_copy(update={"cases": list(cases.values()), "excerpts": excerpts})

    @staticmethod
    def _last_mention(snippet: str, patterns: list[tuple[str, re.Pattern[str]]]) -> str | None:
        best, rank = None, (-1, 0)
        for key, pattern in patterns:
            for m in pattern.finditer(snippet):
                if (m.end(), m.end() - m.start()) > rank:  # latest end; the longer name on a tie
                    best, rank = key, (m.end(), m.end() - m.start())
        return best

    def _assign(
        self,
        e: Excerpt,
        text: str,
        patterns: list[tuple[str, re.Pattern[str]]],
        scopes: list[tuple[Case, int, int]],
    ) -> str | None:
        if e.attribution and (key := self._last_mention(e.attribution, patterns)):
            return key
        if e.kind == "quote":
            window = text[max(0, e.start - 1200) : e.start]
            if key := self._last_mention(window, patterns):
                return key
        else:
            mentioned = {k for k, p in patterns if p.search(e.text)}
            if len(mentioned) == 1:
                return mentioned.pop()
        inside = [(end - start, case.key) for case, start, end in scopes if start <= e.start < end]
        if inside:
            return min(inside)[1]
        return None
