"""Read one YAML file into plain Python values plus the line and column of every value.

Why not `yaml.safe_load`: we need positions for every message, we refuse the YAML traps a clerk
(or an attacker) can fall into (tabs, duplicate keys, anchors and aliases, several documents,
deep nesting, huge files), and we read scalars with YAML 1.2 rules so that `yes`, `on` or
`1:20` stay text and `1.10` as a key stays "1.10". libyaml composes the node tree (fast, in C);
we turn nodes into values in Python with a bounded depth.

Dates are kept as text ("2024-06-07"); the JSON Schemas check their format.
"""

from __future__ import annotations

import dataclasses
import math
import pickle
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from site_builder import messages, parse_cache
from site_builder.cache_files import UNREADABLE_PICKLE
from site_builder.numbers import thousands
from site_builder.problems import Problem

_Loader: type  # libyaml's loader is much faster; the pure-Python composer gives the same nodes
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_DEPTH = 24
MAX_BYTES_DEFAULT = 1_000_000

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:value",
}
# Invisible characters that can make text read differently from what it is ("Trojan source").
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Zero-width characters: invisible, they make two equal-looking texts (a file name, a link) differ.
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
_C0_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = re.compile(f"{_BIDI_CONTROLS.pattern}|{_C0_CONTROLS.pattern}|{_ZERO_WIDTH.pattern}")  # any of the three
_FLOW_BRACKETS = re.compile(r"[\[\]{}]")
_QUOTED = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\n]|'')*'")
# MAX_DEPTH dashes or more in a row ("- - - …"), written to start with the dash itself: the regex engine
# then jumps from dash to dash instead of trying a group at every character (1 instead of 44 µs on a
# 1.8 KB submission).
_SEQUENCE_CHAIN = re.compile(rf"-[ \t]+(?:-[ \t]+){{{MAX_DEPTH - 1},}}")
_DEEP_INDENT = " " * (4 * MAX_DEPTH + 1)  # a line that starts with these spaces is nested past MAX_DEPTH

Path_ = tuple  # a path into the document: keys and list indexes


@dataclass
class YamlDocument:
    """Values of one file, with `positions[path] = (line, column)` (1-based) of each value
    and `key_positions[path]` of each mapping key.

    A document read back from the parse cache has its positions still pickled (`packed`), and
    unpickles them when a message first needs a line: most files have none, and the positions
    were two thirds of reading a parse back (0.4 CPU-s of a 15,000-unit build)."""

    path: str
    data: object = None
    problems: list = field(default_factory=list)
    _tables: tuple[dict, dict] | None = field(default=None, repr=False)  # (positions, key_positions)
    _packed: tuple[bytes, bytes] | None = field(default=None, repr=False)  # (pickled tables, the file's bytes)

    @property
    def positions(self) -> dict:
        return self._unpacked()[0]

    @property
    def key_positions(self) -> dict:
        return self._unpacked()[1]

    def packed(self, tables: bytes, raw: bytes) -> None:
        """Positions to unpickle from `tables` when first asked for; parsed again from `raw`, the
        file's bytes, when they cannot be."""
        self._tables, self._packed = None, (tables, raw)

    def _unpacked(self) -> tuple[dict, dict]:
        if self._tables is None:
            self._tables = ({}, {})
            if self._packed is not None:
                tables, raw = self._packed
                self._packed = None
                try:
                    positions, keys = pickle.loads(tables)
                    if not isinstance(positions, dict) or not isinstance(keys, dict):
                        raise ValueError("not the position tables")
                    self._tables = (positions, keys)
                except UNREADABLE_PICKLE:  # ValueError included: not the position tables
                    fresh = _parse(raw, YamlDocument(self.path))
                    self._tables = (fresh.positions, fresh.key_positions)
        return self._tables

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def where(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of `path`, falling back to the nearest enclosing value."""
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))

    def problem(
        self,
        path: Path_,
        subject: str,
        message: str,
        fix: str = "",
        *,
        code: str = "invalid",
        key: bool = False,
        severity: str = "error",
    ) -> Problem:
        line, column = self.where(path, key=key)
        return Problem(self.path, line, column, subject, message, fix, code, severity, messages.field_name(path))


def read_yaml(file: Path, display_path: str, max_bytes: int = MAX_BYTES_DEFAULT) -> YamlDocument:
    """Read and compose `file`; all problems are returned in the document, never raised."""
    doc = YamlDocument(display_path)
    try:
        if file.is_symlink():  # its content would come from wherever it points (secrets, other units)
            doc.problems.append(messages.FILE_SYMLINK.at(display_path))
            return doc
        size = file.stat().st_size
        if size > max_bytes:
            doc.problems.append(
                messages.FILE_TOO_LARGE.at(display_path, size=thousands(size), limit=thousands(max_bytes))
            )
            return doc
        raw = file.read_bytes()
    except OSError as exc:
        doc.problems.append(messages.UNREADABLE.at(display_path, reason=exc.strerror or exc))
        return doc
    return parse_yaml(raw, display_path, doc)


def parse_yaml(raw: bytes, display_path: str, doc: YamlDocument | None = None) -> YamlDocument:
    doc = doc or YamlDocument(display_path)
    if parse_cache.get(raw, doc):
        return doc
    _parse(raw, doc)
    parse_cache.put(raw, doc)
    return doc


def _parse(raw: bytes, doc: YamlDocument) -> YamlDocument:
    display_path = doc.path
    text = _decode(raw, doc)
    if text is None:
        return doc
    if not _guard_nesting(text, doc):
        return doc
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        doc.problems.append(_syntax_problem(exc, text, display_path))
        return doc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (ESC, other C0/C1 controls)
        line, column = _line_column(text, exc.position)
        char = text[exc.position] if exc.position < len(text) else "\x00"
        doc.problems.append(
            messages.CONTROL_CHARACTER_IN_FILE.at(display_path, line, column, code_point=messages.code_point(char))
        )
        return doc
    except (yaml.YAMLError, RecursionError):  # unmarked errors, pathological input
        doc.problems.append(messages.YAML_UNREADABLE.at(display_path))
        return doc
    if node is None:
        doc.problems.append(messages.EMPTY_FILE.at(display_path))
        return doc
    builder = _Builder(doc, text)
    try:
        doc.data = builder.value(node, (), 0)
    except _Abort:
        doc.data = None
    return doc


def _decode(raw: bytes, doc: YamlDocument) -> str | None:
    try:
        text = raw.decode("utf-8-sig")  # a BOM (from Notepad) is accepted and dropped
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1  # characters, not bytes
        doc.problems.append(messages.NOT_UTF8.at(doc.path, line, column))
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        doc.problems.append(messages.BINARY_FILE.at(doc.path, line))
        return None
    odd = _ODD_LINE_BREAK.search(text)
    if odd:
        line, column = _line_column(text, odd.start())
        message = messages.LONE_CARRIAGE_RETURN_IN_FILE if odd.group() == "\r" else messages.ODD_LINE_BREAK_IN_FILE
        doc.problems.append(message.at(doc.path, line, column, code_point=messages.code_point(odd.group())))
        return None
    return text


def _line_column(text: str, index: int) -> tuple[int, int]:
    """Line and column (from 1) of the character at `index`, lines ending at "\n" as editors count them."""
    before = text[:index]
    return before.count("\n") + 1, index - before.rfind("\n")


# Line breaks for YAML (so for every line number libyaml gives) but not for git, whose line numbers
# GitHub shows beside a file and puts the annotations on: refused, or each later line would be
# reported where the clerk sees another. A carriage return is one when alone; before a line feed
# (Windows) the two are one line break for both.
_ODD_LINE_BREAK = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


def _guard_nesting(text: str, doc: YamlDocument) -> bool:
    """Refuse absurdly nested input before libyaml composes it recursively (stack safety): flow
    brackets, a chain of dashes, or deep indentation. Each look is skipped when the text lacks
    what it looks for (a bracket, a run of spaces), as most files do: every file parsed without
    the parse cache passes here (88 µs on a 1.8 KB submission when each look ran, 3 µs now)."""
    line = None
    if _flow_depth(text) > MAX_DEPTH:
        line = 1
    elif chain := _SEQUENCE_CHAIN.search(text):
        line = text[: chain.start()].count("\n") + 1
    elif _DEEP_INDENT in text:
        for number, row in enumerate(text.splitlines(), 1):
            if row.startswith(_DEEP_INDENT):
                line = number
                break
    if line is None:
        return True
    doc.problems.append(messages.TOO_DEEP.at(doc.path, line, limit=MAX_DEPTH))
    return False


def _flow_depth(text: str) -> int:
    """How deep the flow brackets ([ ], { }) outside quotes nest, counted up to MAX_DEPTH + 1."""
    if "[" not in text and "{" not in text:
        return 0
    depth = deepest = 0
    for match in _FLOW_BRACKETS.finditer(_QUOTED.sub("", text)):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
    return deepest


_OPEN_QUOTE = re.compile(r"""^\s*(?:-\s+)?(?:"[^"]*"|'[^']*'|[^\s"'#][^:#]*?)\s*:\s+(["'])""")


def _unclosed_quote_line(lines: list[str], before: int) -> tuple[int, int] | None:
    """The first line (up to `before`) whose value opens a quote that the same line never closes.

    Values in these files fit on one line, so a quote left open is the likely cause of whatever
    libyaml reports further down."""
    for number, row in enumerate(lines[:before], 1):
        match = _OPEN_QUOTE.match(row)
        if not match:
            continue
        quote, start = match.group(1), match.end()
        rest = row[start:]
        closed = re.match(r'(?:[^"\\]|\\.)*"' if quote == '"' else r"(?:[^']|'')*'", rest)
        if not closed:
            return number, start
    return None


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    lines = text.splitlines()
    problem_text = exc.problem or ""
    in_quotes = "quoted scalar" in (exc.context or "")
    if in_quotes and "end of stream" in problem_text and exc.context_mark:
        # The quote opened at the context mark runs to the end of the file.
        return messages.UNCLOSED_QUOTE.at(
            path, exc.context_mark.line + 1, exc.context_mark.column + 1, where=messages.UNCLOSED_QUOTE_TO_END
        )
    if not in_quotes:
        unclosed = _unclosed_quote_line(lines, line)
        if unclosed is not None and unclosed[0] < line:
            q_line, q_column = unclosed
            return messages.UNCLOSED_QUOTE.at(
                path, q_line, q_column, where=messages.UNCLOSED_QUOTE_SEEN_AT.format(line=line)
            )
    if "expected <document start>" in problem_text:
        # The first key was indented, so libyaml complains only at the first key that is not.
        for number, row in enumerate(lines[: line - 1], 1):
            if row.strip() and not row.lstrip().startswith("#"):
                if row[:1] == " ":
                    line, column = number, 1
                break
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    message, fix = messages.yaml_syntax(exc.problem or "", exc.context or "", source_line).text()
    if "\t" in source_line and "\t" not in (exc.problem or ""):
        column = source_line.index("\t") + 1
    context_line = exc.context_mark.line + 1 if exc.context_mark else None
    if context_line and context_line != line and "document" not in problem_text:
        fix = (fix + messages.BLOCK_STARTS.format(line=context_line)).strip()
    return Problem(path, line, column, "", message, fix, "yaml-syntax")


class _Abort(Exception):
    pass


class _Builder:
    """Turns composed nodes into values, recording positions and refusing traps."""

    def __init__(self, doc: YamlDocument, text: str = ""):
        self.doc = doc
        self.source = text
        self.seen: set[int] = set()
        self.positions, self.key_positions = doc.positions, doc.key_positions  # asked for at every node

    def fail(self, node, message: messages.Message, mark=None, **values):
        mark = mark or node.start_mark
        self.doc.problems.append(message.at(self.doc.path, mark.line + 1, mark.column + 1, **values))
        raise _Abort

    def first_alias_mark(self):
        """Composed nodes do not remember where an alias (*name) was written; the events do."""
        try:
            for event in yaml.parse(self.source, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent):
                    return event.start_mark
        except yaml.YAMLError:  # pragma: no cover - the text was composed already
            pass
        return None

    def value(self, node, path, depth):
        if depth > MAX_DEPTH:
            self.fail(node, messages.TOO_DEEP, limit=MAX_DEPTH)
        if id(node) in self.seen:  # the same node twice means an alias (*name) was used
            self.fail(node, messages.ALIAS_USED, self.first_alias_mark())
        self.seen.add(id(node))
        if node.tag not in _STANDARD_TAGS:
            self.fail(node, messages.CUSTOM_TAG, tag=messages.shown_tag(node.tag))
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node, path, depth):
        result: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, messages.COMPLEX_KEY)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, messages.MERGE_KEY)
            key = self.text(key_node.value, key_node, path)
            line = key_node.start_mark.line + 1
            if key in result:
                found = messages.DUPLICATE_KEY.at(
                    self.doc.path,
                    line,
                    key_node.start_mark.column + 1,
                    place=messages.subject_for(path + (key,)),
                    name=key,
                    first_line=first_line[key],
                )
                self.doc.problems.append(dataclasses.replace(found, field=messages.field_name(path + (key,))))
                continue
            first_line[key] = line
            self.key_positions[path + (key,)] = (line, key_node.start_mark.column + 1)
            result[key] = self.value(value_node, path + (key,), depth + 1)
        return result

    def scalar(self, node, path):
        raw = node.value
        if not node.style and node.tag != "tag:yaml.org,2002:str":  # plain (unquoted) scalar
            if raw in _NULLS:
                return None
            if raw in _TRUE:
                return True
            if raw in _FALSE:
                return False
            if _INT.match(raw):
                # Python refuses to parse > 4300 digits; no score has more than a few anyway.
                return int(raw) if len(raw) <= 100 else float(raw)
            if _FLOAT.match(raw):
                return float(raw)
            if _INF.match(raw):
                return -math.inf if raw.startswith("-") else math.inf
            if _NAN.match(raw):
                return math.nan
        return self.text(raw, node, path)

    def text(self, raw: str, node, path) -> str:
        value = unicodedata.normalize("NFC", raw)
        if not _INVISIBLE.search(value):  # most texts: one search instead of three
            return value
        bad = _BIDI_CONTROLS.search(value) or _C0_CONTROLS.search(value) or _ZERO_WIDTH.search(value)
        if bad:
            line, column = self.char_position(node, bad.group())
            found = messages.INVISIBLE_CHARACTER.at(
                self.doc.path,
                line,
                column,
                place=messages.subject_for(path),
                code_point=messages.code_point(bad.group()),
            )
            self.doc.problems.append(dataclasses.replace(found, field=messages.field_name(path)))
        return value

    def char_position(self, node, char: str) -> tuple[int, int]:
        """Line and column of `char` itself inside the scalar's source (it is invisible)."""
        start, end = node.start_mark, node.end_mark
        chunk = self.source[start.index : end.index] if self.source else ""
        offset = chunk.find(char)
        if offset < 0:
            return start.line + 1, start.column + 1
        before = chunk[:offset]
        newlines = before.count("\n")
        if newlines:
            return start.line + 1 + newlines, offset - before.rfind("\n")
        return start.line + 1, start.column + 1 + offset
