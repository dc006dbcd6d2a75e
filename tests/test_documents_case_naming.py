"""What a document's cases are about, from invented text: defined acronyms, themes, site tables."""

from __future__ import annotations

from spreadgraph.ingest.documents.case_naming import (
    defined_acronyms,
    document_innovation,
    is_innovation,
    names_something,
)
from spreadgraph.ingest.documents.site_results import site_results

TEXT = (
    "The Ward Discharge Bundle (WDB) was spread by the Northern Improvement Network (NIN). "
    "We used Qualitative Comparative Analysis (QCA) to compare sites. "
    + "WDB sites reported shorter stays. " * 12
    + "NIN staff met monthly. " * 12
    + "QCA showed two paths. " * 12
)


def test_the_innovation_is_the_most_used_defined_acronym_that_is_not_a_method_or_organisation() -> None:
    defined = defined_acronyms(TEXT)
    assert defined["WDB"].expansion == "Ward Discharge Bundle" and defined["WDB"].uses == 13
    assert not is_innovation(defined["QCA"]) and not is_innovation(defined["NIN"])
    found = document_innovation(TEXT)
    assert found is not None and found.name == "Ward Discharge Bundle (WDB)"


def test_linking_words_may_or_may_not_give_a_letter() -> None:
    defined = defined_acronyms("A Screening and Brief Advice (SABA) offer. Notes on Care around Meals (CM).")
    assert defined["SABA"].expansion == "Screening and Brief Advice"
    assert defined["CM"].expansion == "Care around Meals"


def test_too_few_uses_name_no_innovation() -> None:
    assert document_innovation("The Falls Bundle (FB) was tried once. FB helped.") is None


def test_case_study_headings_are_cases_when_they_name_something() -> None:
    assert names_something("Case study 2: what we learned")  # a case by name
    assert names_something("Spotlight 3: the Riverside falls clinic")
    assert not names_something("Spotlight 1: Need for strong evidence")
    assert not names_something("Box 2: Relationships matter")


def test_a_flattened_table_with_an_outcome_column_gives_one_result_per_site() -> None:
    header = "Region ID\tWDB adoption success*\tBarriers\tLessons"
    rows = ["A1\tYes\tstaff turnover\tstart early", "B2\tNo\tno IT support\tfund IT", "C3\tPartly\tx\ty"]
    text = (
        "Intro line.\n\n" + header + "\n" + rows[0] + "\n" + rows[1] + "\n\n" + header + "\n" + rows[0] + "\n"
    )
    found = site_results(text)
    assert [(r.site, r.success, r.measure, r.acronym) for r in found] == [
        ("Region A1", True, "WDB adoption success", "WDB"),
        ("Region B2", False, "WDB adoption success", "WDB"),
    ]
    assert text[found[1].start : found[1].end] == rows[1]
    # a value the table does not state as success or failure ends the table; no guess is made
    assert len(site_results(header + "\n" + rows[2] + "\n" + rows[0])) == 0


def test_tables_without_an_outcome_column_give_nothing() -> None:
    assert site_results("Site\tStaff\tBeds\nA\t12\t30\nB\t9\t20\n") == []
