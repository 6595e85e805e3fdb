"""Property-based tests: whatever bytes a unit commits, the validator answers in Vietnamese, never crashes.

Random YAML documents, random text and bytes, and random mutations of a valid submission (keys
deleted, types changed, unicode inserted, indentation swapped, bytes truncated) are validated by
the real `validate_paths` in a real data root. Properties: no exception escapes; the run is valid
or invalid (exit 0 or 1); every problem has a line ≥ 1 (inside the file) and a Vietnamese fix; when
invalid, at least one error is on the changed file. A handful of mutations also go through the CLI.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from site_builder.paths import DataRoot
from site_builder.validate import validate_paths
from tests.corpus_cases import SUBMISSION
from tests.datarepo import PROJECT, make_repo

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID = """\
# yaml-language-server: $schema=../../../schema/submission.schema.json
don_vi: thcs-demo-a
nam_hoc: "2023-2024"
tieu_chi:
  "1.1":
    diem_tu_cham: 5
    ghi_chu: "Đã ban hành kế hoạch ứng dụng CNTT."
  "1.2":
    diem_tu_cham: 4.5
    minh_chung:
      - ke-hoach-cntt.pdf
      - https://thcs-demo-a.example.edu.vn/cong-khai
  "3.2":
    diem_tu_cham: 0
"""

TRICKY_VALUES = [
    "true",
    "no",
    "~",
    "",
    ".nan",
    "-.inf",
    "1e999",
    "-0",
    "0x1F",
    "'5'",
    '"4,5"',
    "4,5",
    "[",
    "]",
    "{",
    "{a: 1}",
    "[1, 2]",
    "&a x",
    "*a",
    "!!binary aGk=",
    "!!python/name:os.system",
    "|",
    ">-",
    "- x",
    "? x",
    ": x",
    "@x",
    "`x`",
    "%x",
    "'",
    '"',
    "\\",
    "\t",
    "../../x.pdf",
    "/etc/passwd",
    "javascript:alert(1)",
    "https://a@b.vn/",
    "\u202e",
    "\u200b",
    "\x00",
    "\x1b[31m",
    "Tiếng Việt",
    "Tie\u0302\u0301ng Vie\u0323\u0302t",
    "𝟓",
    "٥",
    "99999999999999999999",
    "1" + "0" * 5000,
]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("fuzz") / "repo")


def check(root, content: bytes) -> None:
    """Validate `content` as thcs-demo-a's submission and check the properties."""
    (root / SUBMISSION).write_bytes(content)
    result = validate_paths(DataRoot(root), [SUBMISSION])  # an exception here fails the test
    line_count = content.count(b"\n") + 1
    for problem in result.problems:
        assert problem.line >= 1 and problem.column >= 1, problem
        assert problem.message and problem.fix, problem
        if problem.path == SUBMISSION:
            assert problem.line <= line_count + 1, (problem, line_count)
    if not result.ok:
        assert any(p.path == SUBMISSION and p.line >= 1 for p in result.errors)


# ---------------------------------------------------------------- random documents

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["don_vi", "tieu_chi", "1.1", "diem_tu_cham", "minh_chung"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(
                st.text(max_size=12),
                st.sampled_from(
                    ["don_vi", "nam_hoc", "tieu_chi", "bao_cao", "1.1", "4.2", "diem_tu_cham", "minh_chung"]
                ),
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


@SETTINGS
@given(documents)
def test_random_yaml_documents(root, document):
    check(root, yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@SETTINGS
@given(st.dictionaries(st.sampled_from(["don_vi", "nam_hoc", "tieu_chi", "bao_cao", "ghi_chu"]), documents, max_size=5))
@example(
    {"don_vi": None, "nam_hoc": [{"\x85": None}], "tieu_chi": {"\x85": None, "0\x85": None}}
)  # found by the search
def test_random_submission_shaped_documents(root, document):
    check(root, yaml.safe_dump(document, allow_unicode=True, default_flow_style=False).encode("utf-8"))


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_a_line_break_only_yaml_sees_is_refused_where_the_clerk_sees_it(root, char):
    """NEL and the Unicode line and paragraph separators end a line for YAML, not for GitHub's
    editor: every line number after one would point elsewhere. The file is refused at the
    character's own line and column, as the clerk sees them."""
    content = VALID.replace("kế hoạch", f"kế{char}hoạch").encode("utf-8")
    check(root, content)
    result = validate_paths(DataRoot(root), [SUBMISSION])
    found = [(p.code, p.line, p.column) for p in result.problems if p.path == SUBMISSION]
    line = VALID.split("\n").index('    ghi_chu: "Đã ban hành kế hoạch ứng dụng CNTT."') + 1
    column = len('    ghi_chu: "Đã ban hành kế') + 1
    assert found == [("control-character", line, column)]
    assert f"U+{ord(char):04X}" in next(p for p in result.problems if p.path == SUBMISSION).message


def test_a_lone_carriage_return_is_refused_where_the_clerk_sees_it(root):
    """A carriage return alone (an old Mac's line break) ends a line for YAML, not for git, whose
    line numbers GitHub shows: refused at its line and column as the clerk sees them. Before a
    line feed (Windows) it is one line break with it, and the file is read."""
    row = '    ghi_chu: "Đã ban hành kế hoạch ứng dụng CNTT."'
    line = VALID.split("\n").index(row) + 1
    content = VALID.replace(row + "\n", row + "\r", 1)  # one line with the next, as git counts lines
    check(root, content.encode("utf-8"))
    result = validate_paths(DataRoot(root), [SUBMISSION])
    found = [p for p in result.problems if p.path == SUBMISSION]
    assert [(p.code, p.line, p.column) for p in found] == [("control-character", line, len(row) + 1)]
    assert "U+000D" in found[0].message and "CRLF" in found[0].fix
    check(root, VALID.replace("\n", "\r\n").encode("utf-8"))
    assert validate_paths(DataRoot(root), [SUBMISSION]).ok


@SETTINGS
@given(st.text(max_size=400))
@example("\r{")  # found by the search: YAML counted the carriage return as a line, git does not
def test_random_text(root, text):
    check(root, text.encode("utf-8"))


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(root, data):
    check(root, data)


# ---------------------------------------------------------------- mutations of a valid submission


def mutate(text: str, rng: random.Random, steps: int) -> bytes:
    lines = text.splitlines(keepends=True)
    for _ in range(steps):
        op = rng.randrange(8)
        i = rng.randrange(len(lines)) if lines else 0
        if not lines:
            lines = [rng.choice(TRICKY_VALUES) + "\n"]
        elif op == 0:  # delete a line (a key, a value, a list item)
            del lines[i]
        elif op == 1:  # change a value's type
            head, sep, _value = lines[i].partition(": ")
            lines[i] = f"{head}{sep or ': '}{rng.choice(TRICKY_VALUES)}\n"
        elif op == 2:  # insert random unicode anywhere in a line
            pos = rng.randrange(len(lines[i]) + 1)
            char = chr(
                rng.choice(
                    [
                        rng.randrange(32, 0x2FF),
                        rng.randrange(0x300, 0x370),
                        rng.randrange(0x2000, 0x2070),
                        rng.randrange(0x1F300, 0x1F600),
                        rng.randrange(0x0590, 0x0700),
                    ]
                )
            )
            lines[i] = lines[i][:pos] + char + lines[i][pos:]
        elif op == 3:  # swap indentation: tabs, one space more or less
            stripped = lines[i].lstrip(" ")
            indent = len(lines[i]) - len(stripped)
            lines[i] = (
                rng.choice(["\t" * max(1, indent // 2), " " * (indent + 1), " " * max(0, indent - 1), ""]) + stripped
            )
        elif op == 4:  # duplicate a line (duplicate keys)
            lines.insert(i, lines[i])
        elif op == 5:  # swap two lines
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 6:  # join a line with the next
            lines[i] = lines[i].rstrip("\n") + " "
        else:  # a new top-level or nested key
            lines.insert(
                i,
                " " * rng.choice([0, 2, 4])
                + rng.choice(["tieu_chii", '"4.2"', '"9.9"', "diem_tu_cham", "minh_chung", "<<", "---"])
                + ": "
                + rng.choice(TRICKY_VALUES)
                + "\n",
            )
    data = "".join(lines).encode("utf-8", "surrogatepass")
    if rng.random() < 0.25:  # truncate at any byte, possibly inside a UTF-8 sequence
        data = data[: rng.randrange(len(data) + 1)]
    if rng.random() < 0.1:
        data = data.replace(b"\n", b"\r\n")
    return data


@SETTINGS
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=6))
def test_mutated_submissions(root, rng, steps):
    check(root, mutate(VALID, rng, steps))


def test_the_unmutated_submission_is_valid(root):
    (root / SUBMISSION).write_text(VALID, encoding="utf-8")
    assert validate_paths(DataRoot(root), [SUBMISSION]).ok  # so the mutations above start from valid input


@pytest.mark.parametrize("seed", range(6))
def test_mutations_through_the_cli(tmp_path, seed):
    repo = make_repo(tmp_path / "repo")
    rng = random.Random(seed)
    (repo / SUBMISSION).write_bytes(mutate(VALID, rng, 1 + seed % 4))
    run = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(repo), "validate", SUBMISSION],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=PROJECT,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    if run.returncode == 1:
        assert f"{SUBMISSION}:" in run.stdout and " lỗi " in run.stdout
