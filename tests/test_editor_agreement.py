"""Editor schemas and the validator agree, except where a schema cannot say it: each such
difference is listed below with its reason, and any other difference fails.

Compared on every corpus case that checks a unit's self-assessment (tests/corpus/) and on generated
files and evidence references: the editor schema (jsonschema, as check-jsonschema runs it) says
which lines are wrong; the validator (validate_paths) says which lines have errors. A line that one
flags and the other does not must be explained by the lists, by the validator's problem code or by
the schema keyword.
"""

from __future__ import annotations

import functools
import json
import re
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from site_builder import evidence
from site_builder.editor_schema import expected_files
from site_builder.paths import DataRoot
from site_builder.validate import validate_paths
from site_builder.yamlfile import read_yaml
from tests.corpus_cases import CORPUS, SUBMISSION, build_case, case_keys
from tests.datarepo import dump, make_repo

PERIOD = "2023-2024"
SCHEMA = f"schema/editor/{PERIOD}/truong-pho-thong.schema.json"

# The validator says these; no schema can (the file system, the registry, PDF content, the file's
# own name and place), or an editor says them as YAML, not through the schema.
VALIDATOR_ONLY = {
    "file-missing": "whether the named PDF is in the unit's folder",
    "path-symlink": "whether a file is a link out of the unit's folder",
    "pdf-": "PDF content: a real PDF that opens, not encrypted, no active content, at most 500 pages, 10 MB",
    "path-prefix": "the unit's own id as the first folder: one editor schema serves every unit of the type",
    "url-private": "a link to a private network address: address arithmetic, not a pattern",
    "unit-mismatch": "don_vi equal to the file's name",
    "unit-unknown": "the unit in that year's registry",
    "unit-inactive": "the unit in that year's registry",
    "wrong-parent": "the unit under that reviewing body in the registry",
    "period-unknown": "the year folder among the periods of criteria/",
    "catalogue-missing": "a catalogue for the unit's type",
    "stray-file": "files in the unit's folder that are not PDFs",
    "unit-filed-twice": "another file of the same unit",
    "file-symlink": "the file itself is a link",
    "file-too-large": "the file's size (the editor reads it)",
    "encoding": "the bytes are UTF-8 (an editor shows a broken file)",
    "empty-file": "an empty file (the editor's schema check has nothing to say about an empty document)",
    "yaml-syntax": "YAML syntax: the editor's own parser reports it",
    "duplicate-key": "a key written twice: the editor's own parser reports it",
    "yaml-alias": "anchors and aliases: YAML, not data",
    "yaml-key": "a key that is not text: YAML, not data",
    "yaml-tag": "explicit tags (!!python/...): YAML, not data",
    "too-deep": "nesting depth: read before the data exists",
    "control-character": "invisible control and direction characters in text: characters, not shape",
    "inside-unknown-key": "what is inside an unknown criterion: the editor marks the criterion's id and stops there, "
    "the validator also checks the values inside it",
}
# The schema says these where the validator says nothing, with the reason the validator is silent.
SCHEMA_ONLY = {
    "multipleOf": "a score within float noise of the step (4.99999999999): the validator reads it as on the step",
    "contains": "a criterion whose only references were refused: the validator names each refused reference "
    "instead of also saying the criterion has none",
    "blank-reference": "a blank evidence entry: the validator skips it, an editor flags it",
    "not-a-json-number": ".inf, .nan or a 400-digit integer as a score: JSON has no such number and a JSON Schema "
    "validator stops on it; the validator says the score is not a valid number",
}
# Known facts of YAML editors, tested with the real language server (test_language_server.py):
# an unquoted id is a number to them (1.1 is 1.1, but 1.10 is also 1.1): no catalogue id ends in 0.


@functools.lru_cache(maxsize=64)
def editor_validator(root) -> Draft202012Validator:
    return Draft202012Validator(json.loads(expected_files(DataRoot(root))[SCHEMA]))


def _validator_only(code: str) -> bool:
    return any(code == key or (key.endswith("-") and code.startswith(key)) for key in VALIDATOR_ONLY)


def compare(root, rel: str, problems) -> list[str]:
    """Unexplained differences between the editor schema and the validator on one unit file."""
    doc = read_yaml(root / rel, rel)
    ours: dict[int, set[str]] = {}
    for problem in problems:
        if problem.path == rel and problem.is_error:
            ours.setdefault(problem.line, set()).add(problem.code)
    if doc.data is None or not doc.ok:  # the editor's own YAML parser speaks, not the schema
        return [
            f"{rel}:{line}: validator {codes}"
            for line, codes in ours.items()
            if not all(_validator_only(c) for c in codes)
        ]
    try:
        errors = list(editor_validator(root).iter_errors(doc.data))
    except (OverflowError, ValueError):  # NOT_A_JSON_NUMBER: the validator must have said why
        return (
            []
            if any("score-not-number" in c or "wrong-type" in c for c in ours.values())
            else [f"{rel}: a number JSON tools cannot compare, and the validator silent"]
        )
    theirs: list[tuple[set[int], str, object]] = []
    for error in errors:
        theirs.append((_lines(doc, error), error.validator, error))
    differences = []
    inside_unknown = {
        line
        for lines, keyword, error in theirs
        if keyword == "additionalProperties"
        for key in _extra_keys(error)
        for line in _lines_under(doc, tuple(error.absolute_path) + (key,))
    }
    for line, codes in sorted(ours.items()):
        if line in inside_unknown:
            continue  # VALIDATOR_ONLY "inside-unknown-key"
        if not any(line in lines for lines, _kw, _e in theirs) and not all(_validator_only(c) for c in codes):
            differences.append(f"{rel}:{line}: validator {sorted(codes)}, editor schema silent")
    for lines, keyword, error in theirs:
        if lines & set(ours) or _schema_only(keyword, error, doc, ours):
            continue
        differences.append(f"{rel}:{sorted(lines)}: editor schema {keyword} ({error.message[:120]}), validator silent")
    return differences


def _lines(doc, error) -> set[int]:
    """The lines an editor marks for a schema error: the value's, its key's; for an unknown or a
    badly named key, that key's line."""
    path = tuple(error.absolute_path)
    lines = {doc.where(path)[0], doc.where(path, key=True)[0]}
    lines |= {doc.where(path + (k,), key=True)[0] for k in _extra_keys(error)}
    if error.validator == "propertyNames":
        lines.add(doc.where(path + (error.instance,), key=True)[0])
    return lines


def _extra_keys(error) -> list:
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    known = error.schema.get("properties", {})
    patterns = error.schema.get("patternProperties", {})
    return [k for k in error.instance if k not in known and not any(re.search(p, str(k)) for p in patterns)]


def _lines_under(doc, prefix: tuple) -> set[int]:
    return {where[0] for path, where in doc.positions.items() if tuple(path[: len(prefix)]) == prefix}


def _schema_only(keyword: str, error, doc, ours) -> bool:
    if keyword == "multipleOf":
        step = error.validator_value
        return abs(round(error.instance / step) * step - error.instance) < 1e-9
    if keyword in ("contains", "required", "if") or (keyword == "then"):
        criterion = tuple(error.absolute_path)[:2]
        refs_lines = (
            {
                doc.where(criterion + ("minh_chung", i))[0]
                for i in range(len(((doc.data.get("tieu_chi") or {}).get(criterion[1]) or {}).get("minh_chung") or []))
            }
            if len(criterion) == 2 and isinstance(doc.data.get("tieu_chi"), dict)
            else set()
        )
        return bool(refs_lines & set(ours))  # the validator refused a reference of this criterion
    if keyword in ("anyOf", "pattern") and isinstance(error.instance, str) and not error.instance.strip():
        return True  # blank-reference
    return False


# ---------------------------------------------------------------- the corpus


def unit_file_cases() -> list[str]:
    """Corpus cases that check thcs-demo-a's self-assessment of 2023-2024."""
    keys = []
    for key in case_keys():
        group, name = key.split("/", 1)
        if (CORPUS / group / f"{name}.yaml").is_file():
            if group in ("yaml", "submission", "evidence", "valid", "warning"):
                keys.append(key)
        elif SUBMISSION in (CORPUS / group / name / "case.yaml").read_text(encoding="utf-8"):
            keys.append(key)
    return keys


@pytest.mark.parametrize("key", unit_file_cases())
def test_corpus_case(key, tmp_path):
    root, paths = build_case(key, tmp_path)
    if SUBMISSION not in paths or not (root / SUBMISSION).is_file() or (root / SUBMISSION).is_symlink():
        pytest.skip("the case does not check the unit's file itself")
    problems = validate_paths(DataRoot(root), paths).problems
    assert compare(root, SUBMISSION, problems) == []


def test_the_corpus_is_compared():
    assert len(unit_file_cases()) >= 50


# ---------------------------------------------------------------- generated files

REFS = st.lists(
    st.sampled_from(
        [
            "ke-hoach-cntt.pdf",
            "khong-co.pdf",
            "thu-muc/ke-hoach.PDF",
            "../ke-hoach-cntt.pdf",
            "/etc/passwd.pdf",
            "C:\\tai-lieu\\a.pdf",
            "a\\b.pdf",
            "javascript:alert(1)",
            "data:application/pdf;base64,AA==",
            "file:///x.pdf",
            "https://thcs-demo-a.example.edu.vn/cong-khai",
            "http://a.vn",
            "https://user:pw@a.vn/x",
            "https://a/x",
            "https://10.0.0.1/x",
            "https://a.vn/x y",
            "www.thcs-a.edu.vn",
            "bao-cao.docx",
            "thcs-demo-a/ke-hoach-cntt.pdf",
            "HTTPS://TRƯỜNG.VN/a?b#c",
            "https://a.vn:8080",
            "  ke-hoach-cntt.pdf  ",
            "ke hoạch.pdf",
            "",
            " ",
        ]
    ),
    max_size=4,
)
SCORES = st.sampled_from([0, 1, 2.5, 5, 10, 5.5, 7, -1, 2.25, 100, 1e300])  # float noise: the corpus


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.dictionaries(
        st.sampled_from(["1.1", "1.2", "1.3", "2.1", "4.3", "4.4", "1.9"]),
        st.tuples(SCORES, st.none() | REFS),
        min_size=1,
        max_size=5,
    )
)
def test_generated_files(tmp_path_factory, entries):
    root = GENERATED_ROOT.setdefault("root", make_repo(tmp_path_factory.mktemp("agree") / "repo"))
    criteria = {}
    for cid, (score, refs) in entries.items():
        criteria[cid] = {"diem_tu_cham": score} | ({"minh_chung": refs} if refs is not None else {})
    (root / SUBMISSION).write_text(
        dump({"don_vi": "thcs-demo-a", "nam_hoc": PERIOD, "tieu_chi": criteria}), encoding="utf-8"
    )
    problems = validate_paths(DataRoot(root), [SUBMISSION]).problems
    assert compare(root, SUBMISSION, problems) == []


GENERATED_ROOT: dict = {}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ref=st.lists(
        st.sampled_from(
            list(string.ascii_letters[:6])
            + [
                ".",
                "/",
                "..",
                ":",
                "@",
                " ",
                "\\",
                ".pdf",
                ".PDF",
                "https://",
                "http://",
                "javascript:",
                "x.vn",
                "10.0.0.1",
                "ă",
                "?",
                "#",
                "-",
                "www.",
                "%",
                "[",
                "]",
                "\t",
                "ke-hoach-cntt.pdf",
            ]
        ),
        min_size=1,
        max_size=8,
    ).map("".join)
)
@example(ref="https://x.vnjavascript:[")  # a bracket after the host: urlsplit refuses it, the schema did not
@example(ref="https://x.vn:]")
def test_generated_references(tmp_path_factory, ref):
    """One reference: the schema's verdict (PDF name or link) against the validator's finding."""
    root = GENERATED_ROOT.setdefault("root", make_repo(tmp_path_factory.mktemp("agree") / "repo"))
    schema = editor_validator(root).schema
    item = Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/evidence"})
    editor_ok = item.is_valid(ref)
    stripped = ref.strip()
    if not stripped:
        assert not editor_ok or len(ref) == 0  # blank-reference: listed in SCHEMA_ONLY
        return
    unit_dir = root / "submissions" / PERIOD / "pgd-quan-1" / "thcs-demo-a"
    finding = (
        evidence.check_url(stripped)
        if evidence.looks_like_url(stripped)
        else evidence.check_file(stripped, unit_dir, "thcs-demo-a")
    )
    if finding.ok:
        assert editor_ok, f"{ref!r}: the validator accepts it, the editor schema does not"
    elif editor_ok:
        assert _validator_only(finding.code), f"{ref!r}: validator says {finding.code}, the editor schema accepts it"


# ---------------------------------------------------------------- check-jsonschema, as CI would run it


def test_check_jsonschema_gives_the_same_verdicts(tmp_path):
    """The same editor schema through check-jsonschema (its own YAML reader and ECMA-262 regular
    expressions, like an editor's): file by file, the verdict of the jsonschema comparison above."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    tool = Path(sys.executable).parent / "check-jsonschema"
    tool = str(tool) if tool.exists() else shutil.which("check-jsonschema")
    assert tool, "check-jsonschema is a test dependency (pip install -e .[test])"
    root = make_repo(tmp_path / "repo")
    validator = editor_validator(root)
    verdicts = {}
    for key in unit_file_cases():
        file = CORPUS / f"{key}.yaml"
        doc = read_yaml(file, file.name) if file.is_file() else None
        if doc is None or doc.data is None or not doc.ok:
            continue  # the YAML layer: each reader says it its own way (VALIDATOR_ONLY)
        if not _json_numbers(doc.data):
            continue  # SCHEMA_ONLY "not-a-json-number": check-jsonschema stops on it too
        verdicts[str(file)] = validator.is_valid(doc.data)
    run = subprocess.run(
        [tool, "-o", "json", "--schemafile", str(root / SCHEMA), *verdicts], capture_output=True, text=True
    )
    report = json.loads(run.stdout)
    failed = {e["filename"] for e in report["errors"]}
    unreadable = {e["filename"] for e in report["parse_errors"]}
    compared = 0
    for file, ours in verdicts.items():
        if file in unreadable:
            continue
        assert (file not in failed) == ours, file
        compared += 1
    assert compared >= 40


def _json_numbers(value) -> bool:
    """Every number in `value` is one JSON can carry (finite; YAML's 5,000-digit integer is read as inf)."""
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, dict):
        return all(_json_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(_json_numbers(v) for v in value)
    return True
