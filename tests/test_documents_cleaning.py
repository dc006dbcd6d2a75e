"""Cleaning rules, one fixture each (invented text), and the offset map back to the raw text."""

from __future__ import annotations

from spreadgraph.ingest.documents.cleaning import DocumentCleaner
from spreadgraph.schema.document_models import CleanedText, RawDocument


def clean(text: str) -> CleanedText:
    raw = RawDocument(path="x.txt", file_name="x.txt", source_format="text", text=text, content_hash="h")
    return DocumentCleaner().run(raw)


def assert_maps_back(result: CleanedText, fragment: str) -> None:
    """The cleaned fragment maps to a raw span that starts and ends on the same characters."""
    start = result.text.index(fragment)
    raw_start, raw_end = result.offsets.span_to_raw(start, start + len(fragment))
    raw = result.raw.text[raw_start:raw_end]
    assert raw[0] == fragment[0] and raw[-1] == fragment[-1]


def test_page_break_sentence_is_rejoined() -> None:
    out = clean("The clinic teams agreed to meet every\n\nfortnight to review the new rota.\n")
    assert "meet every fortnight to review" in out.text
    assert_maps_back(out, "meet every fortnight")


def test_page_break_with_footnote_between_is_rejoined_and_footnote_lifted() -> None:
    out = clean(
        "Nurses valued the short\n\n³ A footnote about the survey method.\n\nrefresher sessions most."
    )
    assert "short refresher sessions" in out.text
    assert "survey method" not in out.text
    assert any(f.marker == "³" and "survey" in f.text for f in out.footnotes)


def test_hard_wrapped_lines_are_rejoined() -> None:
    out = clean("Wave two interviews covered the\nearly weeks of the rollout.")
    assert out.text == "Wave two interviews covered the early weeks of the rollout."


def test_hyphenated_word_across_lines_is_rejoined() -> None:
    assert "implementation" in clean("The implemen-\ntation stalled.").text
    assert "self-care" in clean("They promoted self-\ncare at home.").text


def test_inline_superscript_and_citation_markers_are_lifted() -> None:
    out = clean("Uptake doubled in a year² and costs fell [4, 5] across sites^{a,b}.")
    assert out.text == "Uptake doubled in a year and costs fell across sites."
    assert {f.marker for f in out.footnotes} >= {"²", "4, 5", "a,b"}


def test_contents_page_is_dropped() -> None:
    text = "Contents\n\n1\tIntroduction\t4\nMethods 9\n\nIntroduction\n\nThe pilot began in spring."
    out = clean(text)
    assert "\t4" not in out.text and out.text.startswith("Introduction")
    assert out.dropped[0][0] == "contents"


def test_reference_list_is_dropped_until_the_next_heading() -> None:
    text = (
        "Body text ends here.\n\nReferences\n\n- Smith A. (2019) A paper. Journal 3:1.\n"
        "- Jones B. (2020) Another paper.\n\nAppendix 1\n\nExtra table."
    )
    out = clean(text)
    assert "Smith" not in out.text and "Appendix 1" in out.text


def test_landing_page_boilerplate_is_dropped() -> None:
    text = "To cite this article: A. Writer (2022)\nArticle views: 120\nView related articles\n\nA real title here"
    assert clean(text).text == "A real title here"


def test_markdown_and_html_are_stripped() -> None:
    out = clean(
        "## Findings\n\nSee **bold claim** and *soft note* at [the site](https://example.org) <u>now</u>."
    )
    assert out.text == "Findings\n\nSee bold claim and soft note at the site now."
    assert_maps_back(out, "bold claim")


def test_quotes_and_spaces_are_normalised() -> None:
    out = clean("\u201cIt\u2019s   fine,\u201d she\u00a0said.\t\n\n\n\nNext.")
    assert out.text == '"It\'s fine," she said.\n\nNext.'


def test_offset_map_round_trips_every_character_kept() -> None:
    text = "Intro\u00a0line **with bold** and a note\u00b9 here, then a\n\nbroken sentence."
    out = clean(text)
    for i, ch in enumerate(out.text):
        raw_ch = text[out.offsets.to_raw(i)]
        assert raw_ch == ch or ch in " '\"" or raw_ch.isspace()
