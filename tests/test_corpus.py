"""The validator's golden corpus: every hostile or careless input, with its exact Vietnamese message.

Each case under tests/corpus/ is placed into a fresh, valid data root (tests/datarepo.make_repo)
and checked by the real `validate_paths`; tests/corpus/expected.yaml holds the exact problems.
A few runs go through the real command line in a subprocess (exit codes, no traceback, output
formats, the GitHub job summary).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
import yaml

from site_builder.paths import DataRoot
from site_builder.validate import validate_all, validate_paths
from tests.corpus_cases import CORPUS, SUBMISSION, actual_problems, build_case, case_keys, expected_table, run_case
from tests.datarepo import PROJECT, make_repo, write

KEYS = case_keys()
EXPECTED = expected_table()


def _show(rows) -> str:
    return yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=200)


# ---------------------------------------------------------------- the table and the cases agree


def test_every_case_has_expectations():
    missing = [k for k in KEYS if k not in EXPECTED]
    assert not missing, f"cases without an entry in tests/corpus/expected.yaml: {missing}"


def test_every_expectation_has_a_case():
    orphans = [k for k in EXPECTED if k not in KEYS]
    assert not orphans, f"entries in tests/corpus/expected.yaml without a case file: {orphans}"


def test_corpus_is_large_and_covers_every_group():
    assert len(KEYS) >= 45
    groups = {k.split("/")[0] for k in KEYS}
    assert {
        "yaml",
        "submission",
        "evidence",
        "review",
        "registry",
        "catalogue",
        "placement",
        "valid",
        "warning",
    } <= groups
    for key in KEYS:
        group = key.split("/")[0]
        errors = [row for row in EXPECTED[key] if "severity" not in row]
        if group in ("valid", "warning"):  # accepted input: at most warnings
            assert not errors, f"{key} expects an error"
        else:  # a hostile case that reports no error would be a silent acceptance
            assert errors, f"{key} expects no error"
    for key in (k for k in KEYS if k.startswith("warning/")):
        assert EXPECTED[key], f"{key} expects no warning"


@pytest.mark.parametrize("key", KEYS)
def test_case(key, tmp_path):
    result = run_case(key, tmp_path)
    actual = actual_problems(result)
    expected = EXPECTED.get(key)
    assert actual == expected, f"{key}: the validator now reports\n{_show(actual)}"
    for problem in result.problems:  # every message names a place and says how to fix it
        assert problem.line >= 1 and problem.column >= 1
        assert problem.fix, f"{key}: no fix in {problem.text()}"


# ---------------------------------------------------------------- line endings and BOM change nothing

SINGLE_FILE_CASES = [
    k
    for k in KEYS
    if (CORPUS / f"{k}.yaml").is_file()
    and k.split("/")[0] in ("submission", "evidence", "review", "valid", "warning")
    and k not in ("valid/UTF8_BOM", "valid/WINDOWS_LINE_ENDINGS")
]


@pytest.mark.parametrize("key", SINGLE_FILE_CASES)
def test_crlf_and_bom_give_the_same_problems(key, tmp_path):
    """Saved by Notepad (BOM + CRLF), a file must get exactly the same messages at the same places."""
    root, paths = build_case(key, tmp_path)
    target = root / paths[0]
    original = target.read_bytes()
    target.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    result = validate_paths(DataRoot(root), paths)
    assert actual_problems(result) == EXPECTED[key]


# ---------------------------------------------------------------- refused fast, with bounded memory


def _measure(root: Path, paths: list[str]):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = validate_paths(DataRoot(root), paths)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, elapsed, peak


@pytest.mark.parametrize(
    "key, code",
    [
        ("yaml/ALIAS_BOMB", "yaml-alias"),
        ("yaml/DEEP_NESTING_FLOW", "too-deep"),
        ("yaml/DEEP_NESTING_BLOCK", "too-deep"),
        ("yaml/huge_file", "file-too-large"),
    ],
)
def test_traps_are_refused_fast_with_bounded_memory(key, code, tmp_path):
    root, paths = build_case(key, tmp_path)
    result, elapsed, peak = _measure(root, paths)
    assert [p.code for p in result.errors] == [code]
    assert elapsed < 2.0, f"{key} took {elapsed:.2f} s"
    assert peak < 16 * 1024 * 1024, f"{key} allocated {peak / 1048576:.1f} MB"


def test_bigger_alias_bomb_is_still_refused_fast(tmp_path):
    """Twelve levels of nine-fold aliases would expand to 9**12 strings if anything expanded them."""
    root = make_repo(tmp_path / "repo")
    lines = [
        "don_vi: thcs-demo-a",
        'nam_hoc: "2023-2024"',
        'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for level in range(1, 13):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * 9) + "]")
    lines.append("tieu_chi: *l12")
    write(root / SUBMISSION, "\n".join(lines) + "\n")
    result, elapsed, peak = _measure(root, [SUBMISSION])
    assert [(p.code, p.line, p.column) for p in result.errors] == [("yaml-alias", 4, 10)]
    assert elapsed < 2.0 and peak < 16 * 1024 * 1024


# ---------------------------------------------------------------- accepted input is really read right


def test_nfd_text_is_normalised_not_rejected(tmp_path):
    root, _paths = build_case("valid/VIETNAMESE_NFD", tmp_path)
    raw = (root / SUBMISSION).read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", raw) != raw  # the file on disk really is NFD
    result = validate_all(DataRoot(root))
    assert result.ok
    note = result.dataset.submissions[("2023-2024", "thcs-demo-a")].entries["1.1"].note
    assert note == "Trường đã triển khai phần mềm quản lý trường học"
    assert unicodedata.is_normalized("NFC", note)


def test_scores_within_float_noise_are_put_on_the_step(tmp_path):
    root, _paths = build_case("valid/SCORE_FLOAT_NOISE", tmp_path)
    result = validate_all(DataRoot(root))
    entries = result.dataset.submissions[("2023-2024", "thcs-demo-a")].entries
    assert (entries["1.1"].score, entries["1.5"].score) == (5.0, 9.5)  # exactly: 1.1 counts as met


@pytest.mark.parametrize("key", ["valid/UTF8_BOM", "valid/WINDOWS_LINE_ENDINGS"])
def test_bom_and_crlf_are_read_as_plain_text(key, tmp_path):
    root, _paths = build_case(key, tmp_path)
    result = validate_all(DataRoot(root))
    assert result.ok
    entry = result.dataset.submissions[("2023-2024", "thcs-demo-a")].entries["1.1"]
    assert entry.score == 5.0
    assert "\r" not in entry.note and "\ufeff" not in entry.note and entry.note.endswith(".")


# ---------------------------------------------------------------- the real command line


def cli(root: Path, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize(
    "key, exit_code",
    [
        ("valid/UNQUOTED_IDS_AND_LINKS", 0),
        ("valid/UTF8_BOM", 0),
        ("submission/SCORE_ABOVE_MAX", 1),
        ("yaml/ALIAS_BOMB", 1),
        ("yaml/INVALID_UTF8", 1),
        ("yaml/huge_file", 1),
        ("evidence/encrypted_pdf", 1),
        ("evidence/symlink_outside", 1),
        ("placement/wrong_district", 1),
    ],
)
def test_cli_exit_codes_and_no_traceback(key, exit_code, tmp_path):
    root, paths = build_case(key, tmp_path)
    run = cli(root, "validate", *paths)
    assert run.returncode == exit_code, run.stdout + run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    for row in EXPECTED[key]:  # every expected problem is printed, with its place
        assert f"{row['file']}:{row['line']}:{row['column']}" in run.stdout
        assert row["text"] in run.stdout
    assert run.stdout.rstrip().splitlines()[-1].startswith("Đã kiểm tra")


def test_cli_whole_root_exit_codes(tmp_path):
    root = make_repo(tmp_path / "repo")
    assert cli(root, "validate").returncode == 0
    write(root / SUBMISSION, (CORPUS / "submission/SCORE_NEGATIVE.yaml").read_text(encoding="utf-8"))
    run = cli(root, "validate")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "điểm tự chấm -1 nhỏ hơn 0" in run.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--format", "xml"],
        ["validate", "--khong-co"],
        ["khong-co-lenh"],
        ["validate", "/etc/passwd"],
    ],
)
def test_cli_usage_errors_exit_2(args, tmp_path):
    root = make_repo(tmp_path / "repo")
    run = cli(root, *args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "Lỗi cách dùng" in run.stderr


def test_cli_not_a_data_root_exits_2(tmp_path):
    run = cli(tmp_path, "validate")
    assert run.returncode == 2 and "không phải thư mục dữ liệu" in run.stderr and "Traceback" not in run.stderr


def _many_errors(root: Path) -> None:
    """A submission with 14 errors: more than GitHub's 10 annotations per step."""
    lines = ["don_vi: thcs-demo-a", 'nam_hoc: "2023-2024"', "tieu_chi:"]
    for cid in ("1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4", "3.5"):
        lines += [f'  "{cid}":', "    diem_tu_cham: 11"]
    write(root / SUBMISSION, "\n".join(lines) + "\n")


def test_cli_github_format_annotations_and_job_summary(tmp_path):
    root = make_repo(tmp_path / "repo")
    _many_errors(root)
    summary = tmp_path / "summary.md"
    run = cli(root, "validate", "--format", "github", SUBMISSION, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.returncode == 1 and "Traceback" not in run.stderr
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 10
    assert errors[0].startswith(f"::error file={SUBMISSION},line=5,col=19,title=")
    assert "điểm tự chấm 11 lớn hơn điểm tối đa 5" in errors[0]
    result = validate_paths(DataRoot(root), [SUBMISSION])
    text = summary.read_text(encoding="utf-8")
    assert len(result.errors) == 14
    for problem in result.problems:  # the summary carries the full list, annotated or not
        assert f"`{problem.path}:{problem.line}:{problem.column}`" in text
    assert "4 lỗi khác chỉ có trong bảng dưới đây" in text


def test_cli_github_format_without_summary_file(tmp_path):
    root, paths = build_case("evidence/JAVASCRIPT_URL", tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    run = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), "validate", "--format", "github", *paths],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1
    assert f"::error file={paths[0]},line=7,col=9," in run.stdout
    assert "::warning " in run.stdout  # the missing-criteria warning is annotated too


def test_cli_json_format(tmp_path):
    root, paths = build_case("submission/SCORE_WRONG_STEP", tmp_path)
    run = cli(root, "validate", "--format", "json", *paths)
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert report["ok"] is False and report["errors"] == 1
    assert report["warnings"] == 2  # criteria not scored; the plan PDF no criterion cites any more
    rows = [{k: p[k] for k in ("path", "line", "column", "code")} for p in report["problems"]]
    assert {"path": paths[0], "line": 5, "column": 19, "code": "score-step"} in rows
    step = next(p for p in report["problems"] if p["code"] == "score-step")
    assert step["field"] == "tieu_chi.1.1.diem_tu_cham"
    assert step["text"].endswith("điểm tự chấm 4.3 không đúng bước chấm 0.5. Hãy nhập 4 hoặc 4.5.")
