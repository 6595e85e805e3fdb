"""messages.py holds every sentence the validator says: the checks hold none, and each record's
templates are filled by the values their call sites give."""

from __future__ import annotations

import ast
import re
import string
import unicodedata
from pathlib import Path

import pytest

from site_builder import messages
from site_builder.problems import Problem

PACKAGE = Path(messages.__file__).resolve().parent
# The modules that check data and report problems (the validator, the pull-request placement
# check, the scoring-workbook reader).
CHECKS = [
    "validate",
    "registry",
    "submissions",
    "schemas",
    "change_check",
    "milestone_check",
    "reports",
    "catalogues",
    "evidence",
    "review_workbook_read",
    "yamlfile",
    "parse_cache",
    "paths",
]
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE)
RECORDS = {name: value for name, value in vars(messages).items() if isinstance(value, messages.Message)}


def _sentences(module: str) -> list[tuple[int, str]]:
    """Vietnamese string literals of a module, docstrings left out."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and VIETNAMESE.search(node.value)
    ]


@pytest.mark.parametrize("module", CHECKS)
def test_checks_hold_no_sentence_of_their_own(module):
    assert _sentences(module) == []


def test_the_sentence_finder_finds_sentences():
    assert len(_sentences("messages")) > 150


def _fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_every_record_formats_and_is_nfc(name):
    record = RECORDS[name]
    assert record.code and record.message and record.severity in ("error", "warning")
    fields = _fields(record.subject) | _fields(record.message) | _fields(record.fix)
    values = {field: f"<{field}>" for field in fields}
    problem = record.at("submissions/x.yaml", **values)
    assert isinstance(problem, Problem) and problem.code == record.code
    for text in (problem.subject, problem.message, problem.fix):
        assert not re.search(r"\{[a-z_]+\}", text), text  # every field filled (a plain { } may be said)
        assert unicodedata.normalize("NFC", text) == text
    with pytest.raises(KeyError):
        if fields:
            record.at("submissions/x.yaml")  # a call site that forgets a value fails loudly
        else:
            raise KeyError("no fields")


def test_one_wording_per_error():
    """The same error found by two checks is said the same way."""
    assert messages.PERIOD_UNKNOWN.message == messages.REGISTRY_PERIOD_UNKNOWN.message
    for workbook, unit_file in (
        (messages.WORKBOOK_ABOVE_MAX, messages.SCORE_ABOVE_MAX),
        (messages.WORKBOOK_NEGATIVE, messages.SCORE_NEGATIVE),
        (messages.WORKBOOK_STEP, messages.SCORE_STEP),
        (messages.WORKBOOK_NOT_NUMBER, messages.SCORE_NOT_NUMBER),
        (messages.WORKBOOK_EVIDENCE_REQUIRED, messages.REVIEW_EVIDENCE_REQUIRED),
    ):
        assert workbook.text(
            label="điểm chấm", value="7", max="5", step="0.5", lower="4", upper="4.5", kinds="tệp PDF"
        ) == unit_file.text(label="điểm chấm", value="7", max="5", step="0.5", lower="4", upper="4.5", kinds="tệp PDF")


def test_no_template_names_a_parameter_of_its_methods():
    """`on(doc, where, key=...)` takes `key` for itself: a template field of that name would be lost."""
    for name, record in RECORDS.items():
        assert "key" not in _fields(record.subject) | _fields(record.message) | _fields(record.fix), name
