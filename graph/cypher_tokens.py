"""A small Cypher lexer for the read-only guard: enough to tell keywords from names and text.

It follows what Neo4j 5.26 does where that decides what the server reads (checked against it):
- `\\uXXXX` escapes are decoded first, everywhere, as in Java source: `'a\\u0027` is a closed
  string, `\\u0041S` is the keyword AS and `// \\u000a` ends a comment. A backslash after an
  odd number of backslashes starts no escape; a decoded backslash starts none either;
- strings in single or double quotes, where a backslash escapes any next character;
- `//` comments, `/* */` comments (not nested) and whitespace separate tokens and are dropped;
- backtick names, where a doubled backtick is an escaped backtick;
- numbers are plain digits (a letter after a digit starts a new word, which only shows more).

A `//` comment that stops at an unusual line break (\\u2028, \\x0b, ...) is refused: Neo4j ends
comments at \\n and \\r only, so ending it there would let a quote after the break hide text the
server reads; going on to \\n would break whenever some parser version does end at them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["word", "name", "string", "number", "symbol"]

_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_LINE_BREAKS = "\n\r\u2028\u2029\x85\x0b\x0c"
_TWO_CHAR_SYMBOLS = frozenset({"::", ".."})


class CypherLexError(ValueError):
    """The text cannot be read safely: an unterminated string, comment or name, or a bad escape."""


@dataclass(frozen=True, slots=True)
class Token:
    """One token: `text` is a word as written, a name without its backticks, a string with quotes."""

    kind: Kind
    text: str

    def is_symbol(self, *symbols: str) -> bool:
        return self.kind == "symbol" and self.text in symbols


def decode_unicode_escapes(text: str) -> str:
    """Replace each `\\uXXXX` the way Neo4j's parser reads it (before it splits the text)."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        slash = text.find("\\", i)
        if slash < 0:
            out.append(text[i:])
            break
        end = slash
        while end < n and text[end] == "\\":
            end += 1
        out.append(text[i:end])
        i = end
        if (end - slash) % 2 and text.startswith("u", end):
            digits = text[end + 1 : end + 5]
            if len(digits) < 4 or not _HEX.issuperset(digits):
                raise CypherLexError("a \\u escape must be followed by four hexadecimal digits")
            out[-1] = out[-1][:-1] + chr(int(digits, 16))
            i = end + 5
    return "".join(out)


def tokenize(query: str) -> list[Token]:
    """The query's tokens, comments and whitespace left out; CypherLexError when it is unsafe."""
    text = decode_unicode_escapes(query)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("//", i):
            i = _line_comment_end(text, i)
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise CypherLexError("a /* comment is not closed with */")
            i = end + 2
        elif ch in "'\"":
            end = _string_end(text, i)
            tokens.append(Token("string", text[i:end]))
            i = end
        elif ch == "`":
            end = _name_end(text, i)
            tokens.append(Token("name", text[i + 1 : end - 1].replace("``", "`")))
            i = end
        elif ch.isalpha() or ch == "_":
            end = i + 1
            while end < n and (text[end].isalnum() or text[end] == "_"):
                end += 1
            tokens.append(Token("word", text[i:end]))
            i = end
        elif ch in _DIGITS:
            end = i + 1
            while end < n and text[end] in _DIGITS:
                end += 1
            if text.startswith(".", end) and end + 1 < n and text[end + 1] in _DIGITS:
                end += 2
                while end < n and text[end] in _DIGITS:
                    end += 1
            tokens.append(Token("number", text[i:end]))
            i = end
        else:
            size = 2 if text[i : i + 2] in _TWO_CHAR_SYMBOLS else 1
            tokens.append(Token("symbol", text[i : i + size]))
            i += size
    return tokens


def _line_comment_end(text: str, start: int) -> int:
    ends = [pos for pos in (text.find(c, start) for c in _LINE_BREAKS) if pos >= 0]
    end = min(ends, default=len(text))
    if end < len(text) and text[end] not in "\n\r":
        raise CypherLexError(
            f"a // comment ends at an unusual line break (U+{ord(text[end]):04X}); end it with a newline"
        )
    return end


def _string_end(text: str, start: int) -> int:
    quote, i, n = text[start], start + 1, len(text)
    while i < n and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    if i >= n:
        raise CypherLexError("a string is not closed (a quote is missing)")
    return i + 1


def _name_end(text: str, start: int) -> int:
    i = start + 1
    while True:
        i = text.find("`", i)
        if i < 0:
            raise CypherLexError("a `quoted name` is not closed with a backtick")
        if not text.startswith("``", i):
            return i + 1
        i += 2
