"""The YAML reader's guards at their limits: nesting refused one level past MAX_DEPTH and not at
it, on the line that starts it, whichever way it is written (flow brackets, a chain of dashes,
deep indentation); invisible characters reported by code point and column, the first kind found
(bidirectional controls, then C0 controls, then zero-width characters) when a text has several."""

from __future__ import annotations

import pytest

from site_builder import yamlfile
from site_builder.yamlfile import MAX_DEPTH


def _parse(text: str) -> yamlfile.YamlDocument:
    return yamlfile._parse(text.encode("utf-8"), yamlfile.YamlDocument("submissions/x.yaml"))


def _too_deep(doc: yamlfile.YamlDocument) -> list[int]:
    return [p.line for p in doc.problems if p.code == "too-deep"]


def _flow(levels: int, quoted: str = "") -> str:
    return f'don_vi: thcs-a\nghi_chu: "{quoted}"\nx: ' + "[" * levels + "1" + "]" * levels + "\n"


def test_flow_brackets_nested_past_the_limit_are_refused_and_at_the_limit_read():
    assert _too_deep(_parse(_flow(MAX_DEPTH + 1))) == [1]
    at_limit = _parse(_flow(MAX_DEPTH - 1))  # the list inside a mapping: MAX_DEPTH levels in all
    assert _too_deep(at_limit) == [] and at_limit.ok
    value = at_limit.data["x"]
    for _level in range(MAX_DEPTH - 1):
        (value,) = value
    assert value == 1


def test_brackets_inside_quotes_do_not_count_as_nesting():
    doc = _parse(_flow(1, quoted="[" * (MAX_DEPTH + 5) + "{" * 3))
    assert _too_deep(doc) == [] and doc.ok
    assert doc.data["ghi_chu"].startswith("[[[")


@pytest.mark.parametrize("separator", [" ", "\t", "   "])
def test_a_chain_of_dashes_is_refused_on_its_line_from_the_limit(separator):
    lines = ["don_vi: thcs-a", "tieu_chi:", "x:", ("-" + separator) * MAX_DEPTH + "1"]
    assert _too_deep(_parse("\n".join(lines) + "\n")) == [4]
    lines[-1] = ("-" + separator) * (MAX_DEPTH - 2) + "1"
    shorter = _parse("\n".join(lines) + "\n")
    assert _too_deep(shorter) == [], shorter.problems


def test_indentation_past_four_spaces_a_level_is_refused_on_its_line():
    def nested(indent: int) -> str:
        return "don_vi: thcs-a\nx:\n" + " " * indent + "y: 1\n"

    assert _too_deep(_parse(nested(4 * MAX_DEPTH + 1))) == [3]
    doc = _parse(nested(4 * MAX_DEPTH))
    assert _too_deep(doc) == [] and doc.data == {"don_vi": "thcs-a", "x": {"y": 1}}


def test_a_file_with_none_of_them_is_read_whole():
    text = "don_vi: thcs-a\ntieu_chi:\n  '1.1':\n    diem_tu_cham: 5\n    minh_chung:\n      - a-b.pdf\n"
    doc = _parse(text)
    assert doc.ok and doc.data["tieu_chi"]["1.1"] == {"diem_tu_cham": 5, "minh_chung": ["a-b.pdf"]}
    assert doc.positions[("tieu_chi", "1.1", "minh_chung", 0)] == (6, 9)
    assert doc.key_positions[("tieu_chi", "1.1", "diem_tu_cham")] == (4, 5)


@pytest.mark.parametrize(
    "written, code_point, column",
    [
        ("ab\u202ecd", "202E", 13),  # as typed into the file: its own column
        ("ab\u200bcd", "200B", 13),
        ("a\u200bb\u202ec", "202E", 14),  # a bidirectional control is the one named
        ("ab\\acd", "0007", 10),  # a C0 control, which YAML takes only escaped: where the text starts
        ("a\u200bb\\ac", "0007", 10),  # named before a zero-width character
    ],
)
def test_invisible_characters_are_reported_by_kind_and_place(written, code_point, column):
    doc = _parse(f'don_vi: thcs-a\nghi_chu: "{written}"\n')
    found = [p for p in doc.problems if p.code == "control-character"]
    assert len(found) == 1, doc.problems
    assert f"U+{code_point}" in found[0].message
    assert (found[0].line, found[0].column) == (2, column)
    assert doc.data["ghi_chu"] == written.replace("\\a", "\x07")
