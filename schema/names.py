"""Identity keys for free-text names, shared by the template, the vocabularies and the graph."""

from __future__ import annotations

import re
import unicodedata


def normalise_name(name: str) -> str:
    """Identity key for free-text names: NFKC, case-folded, '&' as 'and', single spaces."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = re.sub(r"[\s_]+", " ", text)
    return text.strip(" .,;:-'\"")


def word_key(name: str) -> str:
    """A slug: the name's lower-case letter and digit runs joined by '-' ('M(ums) Power': 'm-ums-power')."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))
