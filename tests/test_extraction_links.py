"""Approach -> barrier link detection on sentences written for these tests."""

from __future__ import annotations

import pytest
from spreadgraph.ingest.extraction.links import detect_link


@pytest.mark.parametrize(
    ("text", "relation", "approach", "barrier"),
    [
        (
            "The buddy system helped to overcome the isolation felt by new recruits.",
            "addressed",
            "buddy system",
            "isolation felt by new recruits",
        ),
        (
            "Weekly huddles did not resolve the tension between the two teams.",
            "did_not_address",
            "weekly huddles",
            "tension between the two teams",
        ),
        (
            "The newsletter partly addressed the lack of awareness among GPs.",
            "partly_addressed",
            "newsletter",
            "lack of awareness among gps",
        ),
        ("Moving the clinic to a new site caused delays for patients.", "caused", None, "delays"),
    ],
)
def test_detect_link(text: str, relation: str, approach: str | None, barrier: str) -> None:
    found = detect_link(text)
    assert found is not None
    assert found[0] == relation
    if approach:
        assert found[1] == approach
    assert found[2] == barrier


@pytest.mark.parametrize(
    "text",
    [
        "The nurses addressed the patients warmly.",
        "The team reduced the font size of the leaflet.",
        "Coaching was popular with the reception staff.",
    ],
)
def test_no_link_without_barrier_object(text: str) -> None:
    assert detect_link(text) is None
