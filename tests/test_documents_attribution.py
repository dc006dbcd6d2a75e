"""Quote detection and attribution patterns, one invented fixture each."""

from __future__ import annotations

from spreadgraph.ingest.documents.parsing import DocumentPipeline
from spreadgraph.schema.document_models import ParsedDocument, RawDocument


def parse(text: str) -> ParsedDocument:
    raw = RawDocument(path="x.txt", file_name="x.txt", source_format="text", text=text, content_hash="h")
    return DocumentPipeline().run_raw(raw)


def only_quote(doc: ParsedDocument, fragment: str):
    hits = [q for q in doc.quotes() if fragment in q.text]
    assert len(hits) == 1, [q.text for q in doc.quotes()]
    q = hits[0]
    assert doc.text[q.start : q.end] == q.text
    return q


def test_role_on_the_next_line() -> None:
    doc = parse(
        "Staff liked it.\n\n'The new huddle saves me ten minutes every single morning.'\n\nPractice Nurse\n\nNext"
    )
    q = only_quote(doc, "huddle")
    assert q.speaker_role == "Practice Nurse" and q.text.startswith("The new huddle")


def test_consecutive_quotes_share_the_following_role_line() -> None:
    doc = parse(
        "Views:\n\n'We should have started with the managers first.'\n\n'Nobody told the reception staff "
        "at all.'\n\nStakeholders at Champions Focus Group\n\nMore text follows here."
    )
    assert only_quote(doc, "managers").speaker_role == "Stakeholders at Champions Focus Group"
    assert only_quote(doc, "reception").speaker_role == "Stakeholders at Champions Focus Group"


def test_participant_code_on_the_same_line_and_on_the_next() -> None:
    doc = parse(
        "\u201cWe borrowed the method from a neighbouring region and it worked.\u201d 07-AZ-003\n\n"
        "\u201cOur board never really understood the spread plan we wrote.\u201d\n\n11-ST-002\n\nAfter."
    )
    assert only_quote(doc, "borrowed").speaker == "07-AZ-003"
    assert only_quote(doc, "board").speaker == "11-ST-002"


def test_team_name_and_role_in_parentheses() -> None:
    doc = parse(
        "They said:\n\n'We kept the weekly call even when the ward was short of staff.' "
        "(Pathway CtG team, project lead)\n\nLater text."
    )
    q = only_quote(doc, "weekly call")
    assert q.speaker_role == "Pathway CtG team, project lead"


def test_role_between_two_quotes_on_one_line() -> None:
    doc = parse(
        "Time was short.\n\n'The backlog is enormous.' Team Manager 'One long chat saved three visits later.'"
        "\n\nDistrict Nurse\n\nMore."
    )
    assert only_quote(doc, "backlog").speaker_role == "Team Manager"
    assert only_quote(doc, "long chat").speaker_role == "District Nurse"


def test_inline_quote_with_lead_in_and_a_following_quote_inheriting_it() -> None:
    doc = parse(
        "Progress was slow. As one team member from the Beacon CtG team put it: 'the forms took months "
        "to agree'. The delay was blamed on the fact that 'every ward wanted its own version'."
    )
    first = only_quote(doc, "forms took")
    assert first.speaker_role == "team member from the Beacon CtG team"
    assert only_quote(doc, "every ward").speaker_role == first.speaker_role


def test_lead_in_ending_the_previous_paragraph() -> None:
    doc = parse(
        "The change was felt most by staff involved in the kiosk project:\n\n"
        "'People stopped queueing at the desk within a week of launch.'\n\nAfter that, more text."
    )
    assert only_quote(doc, "queueing").speaker_role == "staff involved in the kiosk project"


def test_unquoted_first_person_block_with_role_in_parentheses() -> None:
    doc = parse(
        "Intro.\n\nI found the calls useful because we had somebody checking on our plan each month "
        "(Scale up site 4 Ward Sister)\n\nMore."
    )
    assert only_quote(doc, "checking on our plan").speaker_role == "Scale up site 4 Ward Sister"


def test_role_line_after_a_quote_is_not_a_section_heading() -> None:
    doc = parse(
        "Findings\n\n'Short and sweet works best for us here.'\n\nOccupational Therapist\n\nBarriers to use\n\n"
        "Time was the main issue for everyone."
    )
    assert [s.title for s in doc.sections] == ["Findings", "Barriers to use"]
    assert only_quote(doc, "sweet").section == "Findings"


def test_short_scare_quotes_are_not_participant_quotes() -> None:
    doc = parse("Staff called it the 'new normal' and a 'quick win' in the report.")
    assert doc.quotes() == []


def test_multi_project_document_attributes_cases() -> None:
    doc = parse(
        "Three projects took part: the Harbour CtG team, the Lantern CtG team and the Meadow CtG team. "
        "The Harbour CtG team ran clinics; the Lantern CtG team trained staff; the Meadow CtG team built an app.\n\n"
        "'We moved the clinic closer to the bus stop.' (Harbour CtG team, staff member)\n\n"
        "The Lantern CtG project struggled with rotas:\n\n'Nobody could be released for training days.'\n\n"
        "Team Lead\n\nA Meadow CtG team member also reported: 'the app crashed on older phones'."
    )
    assert {c.key for c in doc.cases} == {"harbour", "lantern", "meadow"}
    assert only_quote(doc, "bus stop").case_key == "harbour"
    assert only_quote(doc, "released").case_key == "lantern"
    assert only_quote(doc, "older phones").case_key == "meadow"


def test_study_arms_become_cases() -> None:
    body = " ".join(["Coached sites met weekly.", "Non-coached sites used the toolkit only."] * 3)
    doc = parse(
        body + "\n\nA champion said: \u201cthe calls kept us honest about deadlines\u201d "
        "(champion, site 4, coached)\n\n\u201cwe printed the forms and left it there really\u201d "
        "(champion, site 9, non-coached)"
    )
    assert {"coached", "non-coached"} <= {c.key for c in doc.cases}
    q = only_quote(doc, "kept us honest")
    assert (q.case_key, q.speaker, q.speaker_role) == ("coached", "site 4", "champion")
    assert only_quote(doc, "printed the forms").case_key == "non-coached"


def test_a_fragment_of_a_sentence_never_becomes_a_role() -> None:
    doc = parse(
        "Findings.\n\n'The rota never left room for the coaching sessions we had planned.' (and later the team "
        "said it was fine)\n\n'Booking the room was the hardest part of every single week.' (ward manager)\n\nEnd"
    )
    fragment = only_quote(doc, "rota")
    assert fragment.speaker_role is None and "later the team" in (fragment.attribution or "")
    assert only_quote(doc, "Booking").speaker_role == "ward manager"


def test_plausible_roles_against_sentence_pieces() -> None:
    from spreadgraph.ingest.documents.attribution import plausible_role

    for role in ("Practice Nurse", "member of the falls team, patient", "Dr. Okafor, GP", "Coach 3"):
        assert plausible_role(role), role
    for piece in (
        "whereas the team had no time",  # opens with a conjunction
        "the practice nurses as",  # ends on a function word
        "staff felt they were ready",  # a clause: pronoun and verb
        "towards a patient-centred",  # a compound, not a role
        "'Hub' for site staff.",  # quote marks and a full stop
    ):
        assert not plausible_role(piece), piece
