"""Fuzz of the read-only guard: disguised dangerous queries are refused, disguised reads pass.

Queries are built from templates whose pieces are joined by whitespace, comments (holding quotes,
`//`, `/*` and denied words) or unicode-escaped spaces; keywords get mixed case and \\uXXXX
escapes (which Neo4j decodes), names get backticks, and a `WITH '<tricky string>' AS v0` may come
first. The text check (no database) sees 500+ of each kind; a smaller sample goes through
`run_read_only` against the real Neo4j, with and without the text check, and never returns rows.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neo4j import Driver
from spreadgraph.graph import guard
from spreadgraph.graph.guard import check_denied, run_read_only

from spreadgraph.errors import QueryFailed, QueryRefused
from tests.test_guard import fingerprint

# Pieces are separated by single spaces; "~" is a space inside a piece.
DANGEROUS = [
    "LOAD CSV FROM 'file:///etc/hostname' AS l RETURN l",
    "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:9/x.csv' AS l RETURN l",
    "CALL dbms . listConfig ( ) YIELD name RETURN name",
    "CALL dbms . security . createUser ( 'x' , 'y' , false )",
    "CALL dbms . killTransaction ( 'neo4j-transaction-1' )",
    "SHOW SETTINGS",
    "SHOW TRANSACTIONS YIELD *",
    "SHOW USERS",
    "SHOW PROCEDURES YIELD name RETURN name",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "USE system SHOW USERS",
    "USE system MATCH ( n ) RETURN n",
    "CREATE ( n : Hacked ) RETURN n",
    "MATCH ( n ) SET n . hacked = 1 RETURN n",
    "MATCH ( n ) DETACH DELETE n",
    "MERGE ( n : Hacked ) RETURN n",
    "MATCH ( n ) REMOVE n . name RETURN n",
    "MATCH ( n ) FOREACH ( x IN [ 1 ] | SET n . y = x )",
    "INSERT ( n : Hacked )",
    "DROP INDEX barrier_fulltext",
    "CREATE INDEX hacked FOR ( n : Barrier ) ON ( n . name )",
    "ALTER USER neo4j SET PASSWORD 'changed-password'",
    "GRANT ROLE admin TO neo4j",
    "MATCH ( n ) CALL ( n ) { RETURN n . id AS i } IN TRANSACTIONS RETURN i",
    "CALL db . createLabel ( 'Hacked' )",
    "CALL apoc . load . json ( 'http://127.0.0.1:9/' ) YIELD value RETURN value",
    "RETURN apoc . text . join ( [ 'a' ] , '' ) AS x",
]

PLAIN = [
    "MATCH ( n : Set ) RETURN n . set AS s , n . start AS t",
    "RETURN { start : 1 , set : 2 , load : 3 , show : 4 , call : 5 } AS m",
    "UNWIND range ( 1 , 3 ) AS x WITH x WHERE x > 1 RETURN collect ( x ) AS xs",
    "CALL db . labels ( ) YIELD label RETURN label ORDER BY label",
    "CALL db . propertyKeys ( ) YIELD propertyKey RETURN count ( propertyKey ) AS keys",
    "MATCH ( n ) RETURN count ( n ) AS c",
    "OPTIONAL MATCH ( n ) - [ r : DELETE ] -> ( m ) RETURN count ( r ) AS c",
    "CALL ( ) { RETURN 1 AS one } RETURN one",
    "MATCH ( n : CfirDomain | Drop ) RETURN n . name AS name ORDER BY name DESC LIMIT 3",
    "RETURN date . truncate ( 'day' , date ( ) ) AS d , 'LOAD~CSV~//~USE~system~/*' AS t",
    "WITH [ 1 , 2 ] AS transactions UNWIND transactions AS x RETURN x IN transactions AS seen",
]

SEPARATORS = [
    " ",
    "\n",
    "\t ",
    "\u00a0",
    "\\u0020",  # an escaped space: Neo4j decodes it before it reads the query
    "/**/",
    "/* LOAD CSV */",
    "/* ' \" ` // */",
    " // SHOW SETTINGS ' \" /*\n",
    " // a comment ended by an escaped newline \\u000a",
    "\r\n",
]
TRICKY_STRINGS = [
    "'//'",
    '"//"',
    "'/*'",
    '"*/"',
    "'it\\'s'",
    '"say \\"hi\\""',
    "'\\\\'",
    "'\\u0041'",
    "'`'",
    "'LOAD CSV // SHOW SETTINGS /* USE system'",
]


def _is_keyword(piece: str) -> bool:
    return piece.isalpha() and piece.isupper()


def _is_name(piece: str) -> bool:
    return (piece[0].isalpha() or piece[0] == "_") and not _is_keyword(piece) and piece not in ("false",)


@st.composite
def _keyword(draw: st.DrawFn, word: str, escape: bool) -> str:
    letters = [c.upper() if draw(st.booleans()) else c.lower() for c in word]
    if escape and draw(st.booleans()):
        k = draw(st.integers(0, len(word) - 1))
        letters[k] = draw(st.sampled_from(["\\u{:04x}", "\\u{:04X}"])).format(ord(letters[k]))
    return "".join(letters)


@st.composite
def disguised(draw: st.DrawFn, templates: list[str], dangerous: bool) -> str:
    """One template with disguises; for reads only where they keep the meaning (and the syntax)."""
    pieces = [piece.replace("~", " ") for piece in draw(st.sampled_from(templates)).split(" ")]
    if draw(st.booleans()):
        pieces = ["WITH", draw(st.sampled_from(TRICKY_STRINGS)), "AS", "v0", *pieces]
    out = []
    for i, piece in enumerate(pieces):
        nxt = pieces[i + 1] if i + 1 < len(pieces) else ""
        if _is_keyword(piece):
            # Neo4j's pre-parser does not decode an escape in the query's first word.
            piece = draw(_keyword(piece, escape=dangerous or i > 0))
        elif _is_name(piece) and (dangerous or nxt not in ("(", ".")) and draw(st.booleans()):
            piece = f"`{piece}`"
        out.append((draw(st.sampled_from(SEPARATORS)) if i else "") + piece)
    return "".join(out)


@settings(max_examples=600, deadline=None)
@given(query=disguised(DANGEROUS, dangerous=True))
def test_disguised_dangerous_queries_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused):
        check_denied(query)


@settings(max_examples=600, deadline=None)
@given(query=disguised(PLAIN, dangerous=False))
def test_disguised_plain_reads_pass(query: str) -> None:
    check_denied(query)


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=disguised(DANGEROUS, dangerous=True))
def test_dangerous_sample_never_returns_rows_from_neo4j(migrated: Driver, query: str) -> None:
    """Through the whole guard, and again with the text check off: Neo4j's layers stop them too."""
    before = fingerprint(migrated)
    for text_check in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            if not text_check:
                patch.setattr(guard, "check_denied", lambda query: None)
            with pytest.raises((QueryRefused, QueryFailed)):
                run_read_only(migrated, query, timeout=5)
    assert fingerprint(migrated) == before


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=disguised(PLAIN, dangerous=False))
def test_plain_sample_runs_on_neo4j(migrated: Driver, query: str) -> None:
    run_read_only(migrated, query, timeout=5)
