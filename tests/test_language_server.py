"""The real yaml-language-server (npm, pinned in package-lock.json) on unit files, over stdio.

The editor schemas must make an editor agree with the validator where a schema can say it:
a valid file (quoted or unquoted criterion ids) shows no diagnostic; each broken value shows one
on its own line. The schema is reached the way a clerk's editor reaches it: through the file's
first line, a relative path in a clone, or the published site's address (served here from a
local folder on 127.0.0.1).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from site_builder import schema_publish
from site_builder.catalogues import load_period
from site_builder.paths import DataRoot
from site_builder.registry import load_organization, load_registry
from site_builder.submission_template import render_template
from site_builder.validate import validate_paths
from tests.datarepo import make_repo, pdf_bytes, write
from tests.lsp import SERVER, LanguageServer

PERIOD = "2023-2024"
UNIT_FILE = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b.yaml"
HEADER = f"# yaml-language-server: $schema=../../../schema/editor/{PERIOD}/truong-pho-thong.schema.json\n"


@pytest.fixture(scope="module")
def server():
    if not SERVER.exists() or shutil.which("node") is None:
        pytest.fail("yaml-language-server is a test dependency: make install-test (npm ci)")
    with LanguageServer() as running:
        yield running


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("lsp") / "repo")
    write(root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b/ke-hoach.pdf", pdf_bytes("ke hoach"))
    return root


def lines_with_diagnostics(server: LanguageServer, root: Path, text: str) -> dict[int, list[str]]:
    """1-based line -> messages, for `text` opened as the unit's file."""
    found: dict[int, list[str]] = {}
    for diagnostic in server.diagnostics(root / UNIT_FILE, text):
        found.setdefault(diagnostic["range"]["start"]["line"] + 1, []).append(diagnostic["message"])
    return found


def validator_errors(root: Path, text: str) -> dict[int, list[str]]:
    write(root / UNIT_FILE, text)
    try:
        problems = validate_paths(DataRoot(root), [UNIT_FILE]).problems
    finally:
        (root / UNIT_FILE).unlink()
    found: dict[int, list[str]] = {}
    for problem in problems:
        if problem.is_error:
            found.setdefault(problem.line, []).append(problem.code)
    return found


def template(root: Path, site_url: str = "") -> str:
    data = DataRoot(root)
    organization, _ = load_organization(data)
    registry, _ = load_registry(data, organization, periods=[PERIOD])
    unit = registry.unit(PERIOD, "thcs-demo-b")
    period, _ = load_period(data, PERIOD, unit_types=(unit.type,))
    return render_template(period, period.catalogues[unit.type], unit, site_url=site_url)


def test_the_template_is_clean_in_the_editor_and_for_the_validator(server, repo):
    text = template(repo)
    assert text.startswith(HEADER)
    assert lines_with_diagnostics(server, repo, text) == {}
    assert validator_errors(repo, text) == {}


def test_unquoted_criterion_ids_are_accepted_like_the_validator_does(server, repo):
    """`1.1:` is the number 1.1 to a YAML editor, the text "1.1" to the validator: both accept it."""
    text = HEADER + (
        f'don_vi: thcs-demo-b\nnam_hoc: "{PERIOD}"\ntieu_chi:\n'
        "  1.1:\n    diem_tu_cham: 4.5\n"
        "  1.2:\n    diem_tu_cham: 5\n    minh_chung: [ke-hoach.pdf]\n"
        "  4.3: {diem_tu_cham: 2}\n"
    )
    assert lines_with_diagnostics(server, repo, text) == {}
    assert validator_errors(repo, text) == {}


BROKEN = [  # (line text, what is wrong): every line here must get a diagnostic, and no other line
    ("don_vi: thcs-demo-b", None),
    ('nam_hoc: "2020-2021"', "năm học khác thư mục"),
    ("tieu_chi:", None),
    ('  "1.1":', None),
    ("    diem_tu_cham: 7", "trên điểm tối đa 5"),
    ('  "1.2":', "có điểm, thiếu minh chứng"),
    ("    diem_tu_cham: 5", None),
    ('  "1.3":', None),
    ("    diem_tu_cham: 2.25", "không đúng bước 0.5"),
    ('  "1.4":', None),
    ("    diem_tu_cham: 0", None),
    ("    minh_chung:", None),
    ("      - ../../pgd-quan-2/thcs-x/bi-mat.pdf", "ra ngoài thư mục của đơn vị"),
    ('      - "javascript:alert(1)"', "giao thức không được phép"),
    ("      - https://ten:mat-khau@thcs-demo-b.example.edu.vn/x", "tên đăng nhập trong link"),
    ("      - C:\\Users\\vanthu\\ke-hoach.pdf", "đường dẫn tuyệt đối"),
    ("      - bao-cao.docx", "không phải PDF"),
    ('  "1.9":', "tiêu chí không có"),
    ("    diem_tu_cham: 1", None),
    ("  4.3:", None),
    ("    diem_tu_cham: -1", "nhỏ hơn 0"),
]


def test_each_broken_value_is_flagged_on_its_line_by_editor_and_validator(server, repo):
    text = HEADER + "\n".join(line for line, _ in BROKEN) + "\n"
    expected = {index + 2 for index, (_, wrong) in enumerate(BROKEN) if wrong}  # +1 header, +1 one-based
    editor = lines_with_diagnostics(server, repo, text)
    assert set(editor) == expected, editor
    assert any("cần ít nhất một minh chứng" in m for m in editor[expected_line("1.2")]), editor
    assert any("Minh chứng là tên tệp PDF" in m for m in editor[expected_line("../../")]), editor
    validator = validator_errors(repo, text)
    assert set(validator) == expected, validator


def expected_line(fragment: str) -> int:
    return next(index + 2 for index, (line, _) in enumerate(BROKEN) if fragment in line)


def test_the_published_schema_is_fetched_by_its_site_address(server, repo, tmp_path):
    """With a site address the template names the schema on the site; the server fetches it from
    there (a local HTTP server standing in for the site) and flags the same errors."""
    site = tmp_path / "site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"http://127.0.0.1:{httpd.server_address[1]}/danh-gia"
        root = make_repo(tmp_path / "repo")
        write(root / "mkdocs.yml", f"site_name: Thử\nsite_url: {address}/\n")
        data = DataRoot(root)
        organization, _ = load_organization(data)
        assert organization.site_url == address
        schema_publish.publish(data, site / "danh-gia", organization.site_url)
        text = template(root, organization.site_url)
        schema_url = f"{address}/schema/editor/{PERIOD}/truong-pho-thong.schema.json"
        assert text.startswith(f"# yaml-language-server: $schema={schema_url}\n")
        assert lines_with_diagnostics(server, root, text) == {}
        broken = text.replace('"4.3":\n    diem_tu_cham: 0', '"4.3":\n    diem_tu_cham: 9', 1)
        line = broken.splitlines().index("    diem_tu_cham: 9") + 1
        assert lines_with_diagnostics(server, root, broken) == {line: ["Value is above the maximum of 2."]}
    finally:
        httpd.shutdown()
        httpd.server_close()
