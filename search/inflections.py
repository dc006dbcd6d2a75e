"""Irregular English verb forms, so that full text matches "meet" with "met" and "lead" with "led".

The full-text indexes use Lucene's English analyzer, whose Porter stemmer strips regular endings
("meetings" -> "meet", "coaches" -> "coach") but cannot relate irregular forms: a question in the
present tense ("How often did coaches meet ...") never matched a report's past tense ("teams met
weekly"). `variants(word)` returns the other forms of an irregular verb, which the full-text
query adds as alternatives (search/query.py). The table lists common irregular verbs as
base / past / past participle; forms shared with unrelated words in this domain are left out
("found", "left", "lay", "saw", "felt", "ground", "rose", "fell", "wound", "bore"), and so are
the question and function words the query drops anyway ("do", "did", "have", "had").
"""

from __future__ import annotations

from functools import cache

_FORMS = """
arise arose arisen; become became; begin began begun; bring brought; build built; buy bought;
catch caught; choose chose chosen; come came; deal dealt; draw drew drawn; drive drove driven;
fight fought; forget forgot forgotten; get got gotten; give gave given; go went gone;
grow grew grown; hold held; keep kept; know knew known; lead led; lend lent; lose lost;
make made; mean meant; meet met; overcome overcame; pay paid; run ran; say said; see seen;
seek sought; sell sold; send sent; show shown; sit sat; speak spoke spoken; spend spent;
stand stood; stick stuck; strike struck; take took taken; teach taught; tell told;
think thought; undergo underwent undergone; understand understood;
undertake undertook undertaken; wear wore worn; win won; withdraw withdrew withdrawn;
write wrote written
"""


@cache
def _groups() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in _FORMS.replace("\n", " ").split(";"):
        forms = tuple(group.split())
        for form in forms:
            table[form] = forms
    return table


def variants(word: str) -> tuple[str, ...]:
    """The other forms of `word` when it is a form of an irregular verb in the table, else ()."""
    return tuple(form for form in _groups().get(word.lower(), ()) if form != word.lower())
