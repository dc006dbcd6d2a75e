"""The graph model, declared once. Migrations, `schema/README.md` and checks are built from it."""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel, ConfigDict
from spreadgraph.schema.template import Scale


class Prop(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    type: str
    doc: str


class NodeType(BaseModel):
    """A node label. Every node type has a unique `id`."""

    model_config = ConfigDict(frozen=True)
    label: str
    doc: str
    props: tuple[Prop, ...]
    fulltext: tuple[str, ...] = ()  # properties in this label's full-text index
    embedded: bool = False  # has an `embedding` property served by a vector index
    group: str = "evidence"


class RelType(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: str
    start: tuple[str, ...]
    end: tuple[str, ...]
    doc: str
    props: tuple[Prop, ...] = ()


def P(name: str, type_: str, doc: str) -> Prop:
    return Prop(name=name, type=type_, doc=doc)


ID = P("id", "string", "stable identifier (unique per label)")
NAME = P("name", "string", "short canonical name")
DESC = P("description", "string", "what it is, in plain words")
ALIASES = P("aliases", "list<string>", "other names that resolve to this node")
EMB = P("embedding", "list<float>", "sentence embedding of name + description (vector index)")
MERGED = P("merged_ids", "list<string>", "ids of near-duplicates folded into this item (graph/item_merge.py)")

# Claims: kinds of statement a case makes about an item, and their review states.
CLAIM_KINDS = (
    "met_barrier",
    "had_enabler",
    "used_approach",
    "reported_outcome",
    "learned_lesson",
    "addressed",
    "partly_addressed",
    "did_not_address",
    "caused",
    "coded_as",
)
# The (SUBJECT, OBJECT) label pairs a claim may join (OBJECT None: a one-item claim such as
# met_barrier). Writers build one statement per pair, since labels cannot be parameters.
CLAIM_ENDS: tuple[tuple[str, str | None], ...] = (
    ("Barrier", None),
    ("Enabler", None),
    ("Approach", None),
    ("Outcome", None),
    ("Lesson", None),
    ("Barrier", "CfirConstruct"),
    ("Enabler", "CfirConstruct"),
    ("Approach", "EricStrategy"),
    ("Approach", "Barrier"),
)
CLAIM_STATUSES = ("suggested", "confirmed", "rejected")
CASE_STATUSES = ("pending", "published", "rejected")
DECISIONS = ("published", "rejected", "confirmed")

NODE_TYPES: tuple[NodeType, ...] = (
    NodeType(
        label="Source",
        group="provenance",
        doc="A document or submitted template that evidence comes from.",
        props=(
            ID,
            P("kind", "string", "document | template | coded_export"),
            P("title", "string", "title"),
            P("authors", "list<string>", "authors"),
            P("year", "int", "publication year"),
            P("source_type", "string", "article | evaluation | review | template | ..."),
            P("file_name", "string", "file it was ingested from"),
            P("url", "string", "http(s) link to a cited source, from the template"),
            P("format", "string", "txt | md | pdf | docx | csv | json | template"),
            P("encoding", "string", "text encoding the file was decoded from (absent for PDF/DOCX)"),
            P("content_hash", "string", "sha256 of the raw content (identity)"),
            P("version", "int", "1, 2, ... when a changed document is re-ingested"),
            P("text", "string", "cleaned full text that excerpt spans point into"),
            P("ingested_at", "datetime", "when it was ingested"),
        ),
        fulltext=("title",),
    ),
    NodeType(
        label="Excerpt",
        group="provenance",
        embedded=True,
        doc="Verbatim text from a source: a participant quote or a passage.",
        props=(
            ID,
            P("text", "string", "verbatim text"),
            P("kind", "string", "quote | passage | template_quote"),
            P("speaker", "string", "participant code or name, if any"),
            P("speaker_role", "string", "role of the speaker, e.g. 'project lead'"),
            P("section", "string", "heading of the section it sits in"),
            P("start", "int", "character offset in Source.text"),
            P("end", "int", "end offset (exclusive) in Source.text"),
            P("field", "string", "template field path, for template excerpts"),
            P("attribution", "string", "the attribution text as printed, e.g. '(site lead, phase 2)'"),
            P(
                "codes",
                "list<string>",
                "codes from a qualitative-analysis export, e.g. 'barrier:lack of time'",
            ),
            P("de_identified", "bool", "the speaker cannot be identified from the quote"),
            P("consent", "bool", "the speaker agreed to the quote being shared (template quotes)"),
            P("paraphrase", "bool", "a paraphrase, not verbatim words (template quotes)"),
            EMB,
        ),
        fulltext=("text", "speaker_role", "section"),
    ),
    NodeType(
        label="Sentence",
        group="provenance",
        embedded=True,
        doc="Search unit: one sentence of an excerpt with the window of sentences around it "
        "(written by search/units.py; vectors per sentence, full text over the window).",
        props=(
            ID,
            P("text", "string", "the sentence, verbatim"),
            P("start", "int", "character offset in Source.text (in the excerpt text for template quotes)"),
            P("end", "int", "end offset (exclusive)"),
            P("position", "int", "0, 1, ... within its excerpt (page-break joined excerpts continue)"),
            P("window", "string", "the sentence with its neighbours inside one text block (full-text)"),
            P("window_start", "int", "start of the window"),
            P("window_end", "int", "end of the window (exclusive)"),
            P("embedding", "list<float>", "sentence embedding of the sentence text (vector index)"),
        ),
        fulltext=("window",),
    ),
    NodeType(
        label="Case",
        group="case",
        embedded=True,
        doc="One spread or adoption effort: an innovation in a context, over a period.",
        props=(
            ID,
            P("title", "string", "title"),
            P("summary", "string", "short story"),
            P("period", "string", "e.g. 2016-2019"),
            P("spread_status", "string", "piloted | spreading | sustained | stopped"),
            P("review_by", "string", "date (YYYY-MM-DD) to check the case again, from the template"),
            P("status", "string", "pending | published | rejected (review state)"),
            P("revision", "int", "current revision number"),
            P("reviewed_by", "string", "reviewer who published or rejected it"),
            P("reviewed_at", "datetime", "when it was reviewed"),
            P("review_note", "string", "reviewer's note, e.g. the reason for rejecting"),
            P("case_kind", "string", "document (found in a report) | template (submitted)"),
            P("aliases", "list<string>", "other names the source uses for the case"),
            P("document_key", "string", "case key within its source document"),
            EMB,
        ),
        fulltext=("title", "summary"),
    ),
    NodeType(
        label="Revision",
        group="case",
        doc="One submitted version of a case template.",
        props=(
            ID,
            P("number", "int", "1, 2, ..."),
            P("submitted_at", "datetime", "when"),
            P("submitted_by", "string", "contributor id"),
            P("content_hash", "string", "sha256 of the normalised template"),
            P("changes", "list<string>", "field paths changed since the previous revision"),
            P("template", "string", "the template as JSON"),
            P("account", "string", "signed-in account that submitted it (web UI or API), if any"),
        ),
    ),
    NodeType(
        label="Contributor",
        group="case",
        doc="A person or team who submitted or reviewed cases.",
        props=(
            ID,
            NAME,
            P("organisation", "string", "organisation"),
            P("contact", "string", "contact (shown only to reviewers)"),
        ),
    ),
    NodeType(
        label="Adoption",
        group="case",
        doc="Adoption of the innovation at one site, including failures.",
        props=(
            ID,
            P("site", "string", "site name"),
            P("status", "string", "planned | piloting | adopted | sustained | stopped"),
            P("success", "boolean", "documents: whether the source reports the site's rollout as a success"),
            P("measure", "string", "documents: the source's words for what counted ('spread success')"),
            P("started", "string", "date"),
            P("ended", "string", "date"),
            P("reason", "string", "why it stopped, if it did"),
        ),
    ),
    NodeType(
        label="Innovation",
        group="case",
        embedded=True,
        doc="The thing being spread.",
        props=(
            ID,
            NAME,
            P("type", "string", "e.g. digital tool, care pathway, training"),
            DESC,
            ALIASES,
            EMB,
        ),
        fulltext=("name", "description"),
    ),
    NodeType(
        label="Context",
        group="case",
        doc="Where a case happened.",
        props=(
            ID,
            P("setting", "string", "e.g. primary care"),
            P("sector", "string", "e.g. NHS"),
            P("country", "string", "country"),
            P("region", "string", "region"),
            P("scale", "string", " | ".join(get_args(Scale))),
            P("organisations", "list<string>", "organisations involved"),
            P("method", "string", "'document': read from a document's text (schema/care_settings.py)"),
            P("mentions", "int", "document settings: how often the case's text names the setting"),
        ),
    ),
    NodeType(
        label="Barrier",
        group="finding",
        embedded=True,
        doc="Something that got in the way.",
        props=(ID, NAME, DESC, ALIASES, MERGED, EMB),
        fulltext=("name", "description"),
    ),
    NodeType(
        label="Enabler",
        group="finding",
        embedded=True,
        doc="Something that helped.",
        props=(ID, NAME, DESC, ALIASES, MERGED, EMB),
        fulltext=("name", "description"),
    ),
    NodeType(
        label="Approach",
        group="finding",
        embedded=True,
        doc="Something people did to spread or adopt the innovation.",
        props=(ID, NAME, DESC, ALIASES, MERGED, EMB),
        fulltext=("name", "description"),
    ),
    NodeType(
        label="Outcome",
        group="finding",
        doc="A measured or reported result.",
        props=(
            ID,
            P("measure", "string", "what was measured"),
            P("value", "string", "result"),
            P("direction", "string", "improved | worsened | no_change | mixed | unclear"),
            P("evidence_strength", "string", "strong | moderate | weak | anecdotal"),
        ),
        fulltext=("measure", "value"),
    ),
    NodeType(
        label="Lesson",
        group="finding",
        doc="Something learned, worth passing on.",
        props=(ID, P("text", "string", "the lesson")),
        fulltext=("text",),
    ),
    NodeType(
        label="Claim",
        group="provenance",
        doc="One statement a case makes (e.g. 'met barrier X', 'approach A addressed barrier B'),"
        " with who asserted it, its evidence and whether a person confirmed it.",
        props=(
            ID,
            P("kind", "string", " | ".join(CLAIM_KINDS)),
            P("status", "string", " | ".join(CLAIM_STATUSES)),
            P("method", "string", "template | extractor | coded_import"),
            P("asserted_by", "string", "contributor id or extractor name"),
            P("extractor_version", "string", "version of the extractor, if machine-made"),
            P("confidence", "float", "0..1 for machine-made claims"),
            P(
                "finding",
                "string",
                "coded_as claims with no SUBJECT: the kind of finding (barrier | enabler | approach)"
                " the case's evidence shows for the OBJECT code (an extractor finding that named no item)",
            ),
            P("field", "string", "template field path, e.g. barriers[2]"),
            P("note", "string", "the contributor's note on an approach-barrier link"),
            P("reviewed_by", "string", "who confirmed or rejected it"),
            P("reviewed_at", "datetime", "when"),
            P("review_note", "string", "reviewer's note on the decision, if any"),
        ),
    ),
    NodeType(
        label="Decision",
        group="provenance",
        doc="One review decision on a case (published, rejected) or a claim (confirmed, rejected):"
        " who, when, what and why. Every decision is kept; the case or claim holds the latest.",
        props=(
            ID,
            P("decision", "string", " | ".join(DECISIONS)),
            P("by", "string", "reviewer: account name (web, API) or --reviewer (CLI)"),
            P("at", "datetime", "when"),
            P("note", "string", "the reason (required to reject a case) or a remark"),
            P("via", "string", "web | api | cli"),
            P("revision", "int", "the case revision decided on (case decisions)"),
            P("action", "string", "confirm | reject | rename | merge (a review-queue group's decision)"),
            P("group", "string", "the group decided: '<case or source id>~<item id>'"),
            P("item", "string", "the group's item id"),
            P("claims", "list<string>", "every claim the group decision covered"),
            P("old_name", "string", "the item's name before a rename"),
            P("new_name", "string", "the item's name after a rename"),
            P("merged_into", "string", "the item a merged item became"),
        ),
    ),
    NodeType(
        label="CfirDomain",
        group="taxonomy",
        doc="CFIR 2.0 domain.",
        props=(ID, NAME, P("number", "string", "I..V"), DESC),
    ),
    NodeType(
        label="CfirConstruct",
        group="taxonomy",
        doc="CFIR 2.0 construct or subconstruct.",
        props=(
            ID,
            NAME,
            P("label", "string", "letter / number"),
            DESC,
            ALIASES,
            P("level", "string", "construct | subconstruct"),
        ),
        fulltext=("name", "description"),
    ),
    NodeType(
        label="Cfir2009Construct",
        group="taxonomy",
        doc="Original (2009) CFIR construct; the CFIR-ERIC expert matching refers to these.",
        props=(ID, NAME, DESC),
    ),
    NodeType(
        label="EricStrategy",
        group="taxonomy",
        doc="ERIC implementation strategy (73).",
        props=(ID, NAME, P("number", "int", "1..73"), DESC, ALIASES),
        fulltext=("name", "description"),
    ),
    NodeType(
        label="EricCluster",
        group="taxonomy",
        doc="ERIC strategy cluster (9).",
        props=(ID, NAME, P("number", "int", "1..9"), DESC),
    ),
    NodeType(
        label="NasssDomain",
        group="taxonomy",
        doc="NASSS complexity domain (7).",
        props=(ID, NAME, P("number", "int", "1..7"), DESC, P("questions", "list<string>", "prompts")),
    ),
    NodeType(
        label="Concept",
        group="taxonomy",
        doc="A plain-language barrier, enabler, approach or outcome kind of the vocabulary"
        " (schema/concepts.yaml); extracted items resolve to it (IS_CONCEPT).",
        props=(
            ID,
            P("kind", "string", "barrier | enabler | approach | outcome"),
            NAME,
            P("definition", "string", "one sentence"),
            P("variants", "list<string>", "other phrasings (lexical matching, item aliases)"),
            P("codes", "list<string>", "CFIR 2.0, ERIC and NASSS ids (also as CODED_AS relationships)"),
            P("opposite", "string", "id of the mirror concept (barrier <-> enabler), if any"),
            P("version", "string", "concept_version() of the file it was loaded from"),
            P("taught_aliases", "list<string>", "names reviewers renamed or merged into it"),
            P("source", "string", "'reviewer' for a concept a reviewer's rename made (else the file)"),
        ),
    ),
    NodeType(
        label="SchemaMigration",
        group="meta",
        doc="A migration applied to this database.",
        props=(
            ID,
            P("version", "int", "1, 2, ..."),
            P("name", "string", "what it does"),
            P("checksum", "string", "sha256 of its statements"),
            P("applied_at", "datetime", "when"),
        ),
    ),
)

ITEM_LABELS = ("Barrier", "Enabler", "Approach", "Outcome", "Lesson", "Innovation", "Context")

REL_TYPES: tuple[RelType, ...] = (
    RelType(type="ABOUT", start=("Case",), end=("Innovation",), doc="the case spreads this innovation"),
    RelType(type="IN_CONTEXT", start=("Case",), end=("Context",), doc="where the case happened"),
    RelType(type="HAS_ADOPTION", start=("Case",), end=("Adoption",), doc="per-site adoption record"),
    RelType(type="HAS_REVISION", start=("Case",), end=("Revision",), doc="submitted versions"),
    RelType(type="SUBMITTED_BY", start=("Revision",), end=("Contributor",), doc="who submitted it"),
    RelType(
        type="DESCRIBED_IN",
        start=("Case",),
        end=("Source",),
        doc="sources that describe the case",
        props=(
            P("method", "string", "'citation': a template's citation or coded export's file named it"),
            P("citation", "string", "the citation (or file name) that named the Source"),
        ),
    ),
    RelType(
        type="SAME_AS",
        start=("Case",),
        end=("Case",),
        doc="the same real case, described twice: a template's or coded export's case -> the case of the"
        " document it cites (graph/case_links.py); readers show the group as one case",
        props=(
            P("method", "string", "'citation': linked automatically from the citation"),
            P("score", "float", "strength of the case-name match (matched content words + 1)"),
            P("source", "string", "id of the cited document Source"),
            P("names", "list<string>", "the document case's name that matched"),
            P("linked_at", "datetime", "when"),
        ),
    ),
    RelType(type="HAS_EXCERPT", start=("Case",), end=("Excerpt",), doc="evidence attributed to the case"),
    RelType(type="FROM", start=("Excerpt",), end=("Source",), doc="the source an excerpt is quoted from"),
    RelType(
        type="QUOTES",
        start=("Excerpt",),
        end=("Source",),
        doc="a coded export's quote -> the report it quotes word for word, at the quote's span there"
        " (graph/quote_links.py); search shows the quote as the report's passage",
        props=(
            P("start", "int", "the quote's span in the report's Source.text"),
            P("end", "int", "end of that span"),
        ),
    ),
    RelType(type="IN_EXCERPT", start=("Sentence",), end=("Excerpt",), doc="excerpt of a search unit"),
    RelType(type="NEXT", start=("Sentence",), end=("Sentence",), doc="next sentence in the block"),
    RelType(type="PREVIOUS_VERSION", start=("Source",), end=("Source",), doc="older version of a document"),
    RelType(type="MAKES", start=("Case",), end=("Claim",), doc="a claim the case makes"),
    RelType(
        type="HAS_DECISION",
        start=("Case", "Claim"),
        end=("Decision",),
        doc="review decisions taken on the case or claim, oldest first by `at`",
    ),
    RelType(
        type="SUBJECT",
        start=("Claim",),
        end=ITEM_LABELS,
        doc="what the claim is about (for links: the approach; for codes: the coded item; a coded_as"
        " claim without one codes the case's evidence itself)",
    ),
    RelType(
        type="OBJECT",
        start=("Claim",),
        end=("Barrier", "CfirConstruct", "EricStrategy", "NasssDomain"),
        doc="second end of a link or code claim (the barrier addressed; the taxonomy code)",
    ),
    RelType(
        type="EVIDENCED_BY",
        start=("Claim", "Adoption", "Context"),
        end=("Excerpt", "Source"),
        doc="the excerpt (for template fields, the source) a claim, or a document's site result or"
        " setting, came from",
        props=(
            P("start", "int", "extractor claims: start of the evidence sentence in Source.text"),
            P("end", "int", "extractor claims: end (exclusive) of the evidence sentence, inside the excerpt"),
        ),
    ),
    RelType(
        type="CODED_AS",
        start=("Barrier", "Enabler"),
        end=("CfirConstruct",),
        doc="confirmed taxonomy code (summary of confirmed coded_as claims)",
    ),
    RelType(type="CODED_AS", start=("Approach",), end=("EricStrategy",), doc="confirmed ERIC code"),
    RelType(
        type="CODED_AS",
        start=("Concept",),
        end=("CfirConstruct", "EricStrategy", "NasssDomain"),
        doc="the concept's taxonomy codes (from schema/concepts.yaml)",
    ),
    RelType(
        type="IS_CONCEPT",
        start=("Barrier", "Enabler", "Approach"),
        end=("Concept",),
        doc="the vocabulary concept an item is (its codes are the concept's)",
    ),
    RelType(type="IN_DOMAIN", start=("CfirConstruct",), end=("CfirDomain",), doc="construct's domain"),
    RelType(type="PART_OF", start=("CfirConstruct",), end=("CfirConstruct",), doc="subconstruct of"),
    RelType(type="IN_CLUSTER", start=("EricStrategy",), end=("EricCluster",), doc="strategy's cluster"),
    RelType(
        type="MAPS_TO",
        start=("Cfir2009Construct",),
        end=("CfirConstruct",),
        doc="project crosswalk from CFIR 2009 to CFIR 2.0",
    ),
    RelType(
        type="EXPERT_MATCH",
        start=("Cfir2009Construct",),
        end=("EricStrategy",),
        doc="CFIR-ERIC expert matching (expert opinion, not case evidence)",
        props=(P("level", "int", "1 or 2"), P("percent", "float", "share of experts endorsing")),
    ),
)


def embedded_labels() -> tuple[str, ...]:
    return tuple(n.label for n in NODE_TYPES if n.embedded)
