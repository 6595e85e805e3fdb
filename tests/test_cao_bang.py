"""A second province as data: `examples/cao-bang/` (made with `site-builder init`, edited by hand)
validates, follows letter 1423/SGDĐT-QLCLCNTT, and builds its own site with the same code. The
package itself names no province outside its docstrings."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from site_builder.catalogues import load_period
from site_builder.paths import DataRoot
from site_builder.registry import load_organization, load_registry

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT / "examples" / "cao-bang"
PERIOD = "2020-2021"
NAME = "Sở Giáo dục và Đào tạo tỉnh Cao Bằng (dữ liệu minh hoạ)"
OFFICES = [
    "Phòng Giáo dục và Đào tạo thành phố Cao Bằng",
    "Phòng Giáo dục và Đào tạo huyện Hòa An",
    "Phòng Giáo dục và Đào tạo huyện Trùng Khánh",
]
LETTER = "1423/SGDĐT-QLCLCNTT"


def site_builder(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "site_builder", *map(str, args)], capture_output=True, text=True)


def cao_bang_script():
    sys.path.insert(0, str(PROJECT / "benchmarks"))
    return importlib.import_module("cao_bang")


# ---------------------------------------------------------------------------------- the data


def test_the_example_validates_as_its_own_data_root():
    done = site_builder("--root", EXAMPLE, "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hợp lệ" in done.stdout
    for check in ("codeowners", "editor-schemas"):
        done = site_builder("--root", EXAMPLE, check, "--check")
        assert done.returncode == 0, done.stdout + done.stderr
    for rel in (
        "schema/submission.schema.json",
        "mkdocs.yml",
        "docs/gioi-thieu.md",
        "submissions/keys/minh-hoa.asc",
        ".github/workflows/validate.yml",
        "README.md",
    ):
        assert (EXAMPLE / rel).is_file(), rel


def test_organization_and_registry():
    organization, problems = load_organization(DataRoot(EXAMPLE))
    assert not problems
    assert (organization.id, organization.name, organization.demo) == ("so-gddt-cao-bang", NAME, True)
    assert organization.signers == ("github-web-flow", "minh-hoa")
    assert "minh-hoa" in organization.repository
    registry, problems = load_registry(DataRoot(EXAMPLE), organization)
    units = registry.periods[PERIOD].units
    assert 15 <= len(units) <= 20
    assert sorted(u.name for u in units.values() if u.type == "phong-gddt") == sorted(OFFICES)
    invented = [u for u in units.values() if u.type != "phong-gddt"]
    assert all("Demo" in u.name for u in invented)
    for office in ("pgd-tp-cao-bang", "pgd-hoa-an", "pgd-trung-khanh"):
        schools = [u for u in units.values() if u.parent == office]
        assert 2 <= len(schools) <= 3 and all(u.level == "THCS" for u in schools)
    direct = {u.name for u in units.values() if u.parent == "so-gddt-cao-bang"}
    for kind in ("Trường THPT", "Trung tâm GDNN-GDTX", "Trung tâm GDTX", "Trường PT DTNT"):
        assert any(name.startswith(kind) for name in direct), kind


def test_year_file_follows_letter_1423():
    period, problems = load_period(DataRoot(EXAMPLE), PERIOD)
    assert not [p for p in problems if p.is_error]
    found = [(m.id, m.due, m.owed_by, m.provisional) for m in period.milestones]
    assert found == [
        ("ke-hoach", dt.date(2020, 11, 10), ("phong-gddt",), False),
        ("so-ket", dt.date(2021, 1, 15), (), False),
        ("tong-ket", dt.date(2021, 6, 1), (), False),
    ]
    assert all(LETTER in m.source for m in period.milestones)
    assert period.deadline_source == "provisional"  # the letter sets no self-assessment deadline
    assert "ĐỀ XUẤT" in (EXAMPLE / f"criteria/{PERIOD}/year.yaml").read_text(encoding="utf-8")
    assert (period.structure.area_label, period.structure.tier_label) == ("Huyện/thành phố", "Phòng GD&ĐT")
    assert any(LETTER in b and "30/10/2020" in b and "Cao Bằng" in b for b in period.basis)


def test_borrowed_catalogues_say_so_and_only_offices_need_the_plan_on_time():
    period, _ = load_period(DataRoot(EXAMPLE), PERIOD)
    assert set(period.catalogues) == {"phong-gddt", "truong-pho-thong", "trung-tam-gdtx"}
    for unit_type, catalogue in period.catalogues.items():
        assert catalogue.source == "provisional", unit_type
        note = catalogue.source_note
        assert "không có bộ tiêu chí" in note and "Cao Bằng" in note and "TP.HCM" in note and "minh hoạ" in note
        needing = [i.id for i in catalogue.items.values() if i.requires_milestone]
        assert needing == (["1.1"] if unit_type == "phong-gddt" else []), unit_type


def test_the_committed_filings_are_the_timeline_final_state():
    script = cao_bang_script()
    expected = {rel: content for f in script.filings() for rel, content in f.files.items()}
    on_disk = {
        p.relative_to(EXAMPLE).as_posix(): p.read_bytes()
        for p in (EXAMPLE / "submissions" / PERIOD).rglob("*")
        if p.is_file()
    }
    assert on_disk.keys() == expected.keys()
    assert all(on_disk[rel] == content for rel, content in expected.items())
    assert sum(rel.endswith(".pdf") for rel in on_disk) >= 30


# ---------------------------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The example's history replayed (signed with the demo key), then built like any repository."""
    base = tmp_path_factory.mktemp("cao-bang")
    cao_bang_script().history(base / "repo")
    done = site_builder("--root", base / "repo", "build", "--out", base / "site")
    assert done.returncode == 0, done.stderr
    return base / "site"


def page(site: Path, rel: str) -> str:
    return (site / rel / "index.html").read_text(encoding="utf-8")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_site_shows_the_department_and_its_offices(site):
    assert NAME in page(site, "")
    comparison = page(site, "so-sanh")
    assert "So sánh các Phòng GD&amp;ĐT" in comparison
    assert all(office in comparison for office in OFFICES)


@pytest.mark.slow
@pytest.mark.parametrize(
    "unit, status",
    [
        ("pgd-tp-cao-bang", "Đúng hạn (hạn đề xuất)"),
        ("pgd-trung-khanh", "Đúng hạn (hạn đề xuất)"),  # filed at 21:40 on the deadline day
        ("pgd-hoa-an", "Trễ hạn (hạn đề xuất)"),
        ("thcs-demo-ngoc-khe", "Trễ hạn (hạn đề xuất)"),
        ("thpt-demo-hoa-an", "Chưa nộp (hạn đề xuất)"),
    ],
)
def test_self_assessment_statuses_carry_the_proposed_deadline_mark(site, unit, status):
    assert f"Trạng thái: {status}" in text(page(site, f"{PERIOD}/don-vi/{unit}"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "unit, milestone, status",
    [
        ("pgd-tp-cao-bang", "ke-hoach", "Đúng hạn"),
        ("pgd-trung-khanh", "ke-hoach", "Đúng hạn"),  # on the due day
        ("pgd-hoa-an", "ke-hoach", "Trễ hạn"),
        ("pgd-trung-khanh", "so-ket", "Chưa nộp"),
        ("thpt-demo-ban-gioc", "so-ket", "Trễ hạn"),
        ("gdtx-demo-tinh", "tong-ket", "Chưa nộp"),
    ],
)
def test_milestone_statuses_from_the_signed_history(site, unit, milestone, status):
    row = re.search(rf'<tr data-milestone="{milestone}">(.*?)</tr>', page(site, f"{PERIOD}/don-vi/{unit}"), re.S)
    cells = [text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert cells[2] == status  # the letter's dates: no "(hạn đề xuất)"


@pytest.mark.slow
def test_schools_owe_no_plan_and_a_late_plan_is_flagged_on_the_office_item(site):
    school = page(site, f"{PERIOD}/don-vi/thcs-demo-hop-giang")
    assert 'data-milestone="ke-hoach"' not in school
    office = text(page(site, f"{PERIOD}/don-vi/pgd-hoa-an"))
    assert "Tiêu chí này có điểm nhưng «Kế hoạch" in office and "nộp trễ hạn (hạn 10/11/2020)" in office


@pytest.mark.slow
def test_late_count_on_the_home_page(site):
    assert re.search(r'data-count="late">4<', page(site, ""))


def hcmc_names() -> set[str]:
    """Every name of the bundled HCMC demo: its Department, units, bodies and areas."""
    root = DataRoot(PROJECT)
    organization, _ = load_organization(root)
    registry, _ = load_registry(root, organization)
    names = {"Hồ Chí Minh", "hcm.edu", organization.name.split(" (")[0]}
    for period in registry.periods.values():
        names |= {u.name for u in period.units.values()} | {u.area for u in period.units.values() if u.area}
        names |= {b.name for b in period.bodies.values() if b.name}
    names |= {n.split(" Demo ", 1)[1] for n in names if " Demo " in n}  # the place in "THCS Demo Tân Định"
    return {n for n in names if n}


@pytest.mark.slow
def test_no_hcmc_name_on_any_page(site):
    names = hcmc_names()
    assert len(names) > 50
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        found = [n for n in names if n in html]
        assert not found, (path.relative_to(site), found[:5])
        # The borrowed catalogues' provenance is the one mention, on the criteria page only.
        if "TP.HCM" in html:
            assert path.relative_to(site).as_posix() == "tieu-chi/index.html"


@pytest.mark.slow
def test_the_example_folder_builds_directly(tmp_path):
    done = site_builder("--root", EXAMPLE, "build", "--out", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert NAME in page(tmp_path / "site", "")


# ---------------------------------------------------------------------------------- the package

PROVINCES = ("cao bang", "cao-bang", "caobang", "cao_bang", "ho chi minh", "hochiminh", "hcm")


def _fold(value: str) -> str:
    value = unicodedata.normalize("NFD", value.lower()).replace("đ", "d")
    return "".join(c for c in value if unicodedata.category(c) != "Mn")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                ids.add(id(first.value))
    return ids


def province_mentions(source: str) -> list[str]:
    """Strings and names of Python code (docstrings and comments excepted) that name a province."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            words = node.value
        elif isinstance(node, ast.Name):
            words = node.id
        elif isinstance(node, ast.Attribute):
            words = node.attr
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            words = node.name
        else:
            continue
        if any(p in _fold(words) for p in PROVINCES):
            found.append(f"line {node.lineno}: {words[:60]!r}")
    return found


def test_the_grep_finds_a_province_condition():
    assert province_mentions('if org.id == "so-gddt-cao-bang":\n    pass\n')
    assert province_mentions('LABEL = {"hcm": "TP.HCM"}\n')
    assert province_mentions("def is_hcmc(x):\n    return x\n")
    assert not province_mentions('def f():\n    """Works for Cao Bằng and Hồ Chí Minh alike."""\n    # hcm\n')


def test_the_package_names_no_province():
    package = PROJECT / "site_builder"
    offenders = {}
    for path in sorted(package.rglob("*.py")):
        found = province_mentions(path.read_text(encoding="utf-8"))
        if found:
            offenders[path.relative_to(PROJECT).as_posix()] = found
    for path in sorted((package / "website").rglob("*.html")):  # page templates: everything in them is shown
        if any(p in _fold(path.read_text(encoding="utf-8")) for p in PROVINCES):
            offenders[path.relative_to(PROJECT).as_posix()] = ["template"]
    assert not offenders, offenders
