"""Within the host's limits, on real builds: the JSON download split per reviewing body with an
index of sizes and SHA-256, the site's size against the organisation's budget and per-file limit
(`site-builder build` refuses above them, the published site kept), and `evidence: link`, which
leaves the PDFs out of the site and links them on GitHub at the data commit."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from site_builder.build_cache import BuildCache
from site_builder.testing_git import Repo
from site_builder.website import downloads, site_size
from site_builder.website.build import build_site
from site_builder.website.downloads import read_json
from site_builder.website.file_manifest import Manifest
from site_builder.website.site_writer import SiteWriter
from tests.datarepo import PROJECT, dump, make_repo, write_registry, write_school

pytestmark = pytest.mark.slow

PERIOD = "2023-2024"
REPOSITORY = "https://github.com/so-gddt/danh-gia-cntt"
EVIDENCE = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf"
REPORT = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a/bao-cao/ke-hoach/bao-cao.pdf"


def build(root: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), "build", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=600,
    )


def set_organization(root: Path, **changes) -> None:
    file = root / "submissions/organization.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    file.write_text(dump(data), encoding="utf-8")


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def copy_repo(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


# ------------------------------------------------------------------------------- the size check


def test_measure_counts_every_file_and_names_the_ones_over_the_limit(tmp_path):
    (tmp_path / "a/b").mkdir(parents=True)
    (tmp_path / "a/b/big.json").write_bytes(b"x" * 30_000)
    (tmp_path / "a/small.html").write_bytes(b"y" * 1_000)
    (tmp_path / "index.html").write_bytes(b"z" * 20_001)
    size = site_size.measure(tmp_path, budget_mb=0.1, file_limit_mb=0.02)
    assert (size.total, size.files, size.largest) == (51_001, 3, ("a/b/big.json", 30_000))
    assert size.oversized == [("a/b/big.json", 30_000), ("index.html", 20_001)]
    assert size.line().startswith("Kích thước trang: 0,05 MB / 0,1 MB (51%)")
    assert size.warning() == ""  # 51 % is not yet near the budget
    problems = size.problems()
    assert (
        len(problems) == 1 and "2 tệp vượt giới hạn 0,02 MB" in problems[0] and "a/b/big.json (0,03 MB)" in problems[0]
    )
    with pytest.raises(site_size.SiteTooLarge, match="tệp vượt giới hạn"):
        site_size.check(site_size.measure(tmp_path, budget_mb=0.1, file_limit_mb=0.02))
    near = site_size.measure(tmp_path, budget_mb=0.06)
    assert "đã dùng 85" in near.warning() and near.problems() == []
    over = site_size.measure(tmp_path, budget_mb=0.05)
    assert over.warning() == "" and over.problems()[0].startswith("Trang quá lớn: 0,05 MB, vượt giới hạn 0,05 MB")


@pytest.fixture(scope="module")
def committed(tmp_path_factory) -> Path:
    """A valid data repository, committed (link mode needs a commit), with evidence: link."""
    root = make_repo(tmp_path_factory.mktemp("hosting") / "repo")
    set_organization(root, evidence="link")
    Repo(root).commit("Khởi tạo kho dữ liệu", author=("Quản trị", "qt@example.invalid"))
    return root


@pytest.fixture(scope="module")
def linked(committed, tmp_path_factory):
    out = tmp_path_factory.mktemp("linked") / "site"
    done = build(committed, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return committed, out, done


def test_build_prints_the_size_against_the_budget(linked):
    _root, out, done = linked
    total = site_size.measure(out).total
    line = next(x for x in done.stdout.splitlines() if x.startswith("Kích thước trang: "))
    assert line.startswith(f"Kích thước trang: {site_size.mb(total)} / 1000 MB (")
    assert "Cảnh báo" not in done.stderr


def test_over_budget_is_refused_and_the_published_site_stays(linked, tmp_path):
    root, out, _ = linked
    total = site_size.measure(out).total
    data = copy_repo(root, tmp_path / "repo")
    set_organization(data, site_budget_mb=total / 2 / site_size.MB)
    published = tmp_path / "site"
    (published / "index.html").parent.mkdir()
    (published / "index.html").write_text("trang cũ", encoding="utf-8")
    done = build(data, published)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Trang quá lớn" in done.stderr and "site_budget_mb" in done.stderr and "evidence: link" in done.stderr
    assert "Trang đang công khai (nếu có) giữ nguyên." in done.stderr
    assert (published / "index.html").read_text(encoding="utf-8") == "trang cũ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "site"]  # nothing half-built left behind


def test_near_the_budget_warns_and_still_builds(linked, tmp_path):
    root, out, _ = linked
    total = site_size.measure(out).total
    data = copy_repo(root, tmp_path / "repo")
    set_organization(data, site_budget_mb=round(total / 0.9 / site_size.MB, 3))
    done = build(data, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    used = re.search(r"Cảnh báo: Trang đã dùng (\d+),?(\d*)% dung lượng cho phép", done.stderr)
    assert used is not None, done.stderr
    assert 80 <= float(f"{used[1]}.{used[2] or 0}") <= 100  # about 90 %: the copy's size is the fixture's


def test_a_file_over_the_limit_is_refused(linked, tmp_path):
    root, _out, _ = linked
    data = copy_repo(root, tmp_path / "repo")
    set_organization(data, file_limit_mb=0.05)  # mkdocs-material's own bundle is larger
    done = build(data, tmp_path / "site")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "tệp vượt giới hạn 0,05 MB mỗi tệp" in done.stderr and "assets/javascripts/bundle." in done.stderr
    assert not (tmp_path / "site").exists()


def test_limits_are_checked_by_the_schema(linked, tmp_path):
    root, _out, _ = linked
    data = copy_repo(root, tmp_path / "repo")
    set_organization(data, evidence="nhung", site_budget_mb=0)
    done = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(data), "validate"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
    )
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    text = done.stdout + done.stderr
    assert "organization.yaml" in text and "evidence" in text and "site_budget_mb" in text


# ------------------------------------------------------------------------------- evidence: link


def test_link_mode_leaves_evidence_out_and_links_it_at_the_data_commit(linked):
    root, out, done = linked
    commit = Repo(root).head()
    assert "0 tệp minh chứng" in done.stdout
    assert not (out / "minh-chung").exists()
    unit = page(out, f"{PERIOD}/don-vi/thcs-demo-a")
    for path in (EVIDENCE, REPORT):
        url = f"{REPOSITORY}/blob/{commit}/{path}"
        assert f'href="{url}"' in unit, path
    digest = hashlib.sha256((root / EVIDENCE).read_bytes()).hexdigest()
    assert digest in unit and 'data-evidence-mode="link"' in unit and commit[:7] in unit
    document = read_json(out, PERIOD)
    a = next(u for u in document["units"] if u["id"] == "thcs-demo-a")
    pdfs = [e for c in a["criteria"] for e in c["evidence"] if e["kind"] == "pdf"]
    assert pdfs and all(e["href"] == f"{REPOSITORY}/blob/{commit}/{EVIDENCE}" for e in pdfs)
    assert all(e["sha256"] == digest and e["size"] == (root / EVIDENCE).stat().st_size for e in pdfs)
    assert a["milestones"][0]["file"]["href"] == f"{REPOSITORY}/blob/{commit}/{REPORT}"


def test_copy_mode_is_the_default_and_copies(linked, tmp_path):
    root, _out, _ = linked
    data = copy_repo(root, tmp_path / "repo")
    set_organization(data, evidence=None)
    done = build(data, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    copied = tmp_path / "site/minh-chung" / EVIDENCE.split("/", 1)[1]
    assert copied.read_bytes() == (data / EVIDENCE).read_bytes()
    unit = page(tmp_path / "site", f"{PERIOD}/don-vi/thcs-demo-a")
    assert "github.com/so-gddt/danh-gia-cntt/blob/" not in unit and 'data-evidence-mode="link"' not in unit
    assert 'href="../../../minh-chung/2023-2024/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf"' in unit


def test_link_mode_without_a_repository_is_refused(linked, tmp_path):
    root, _out, _ = linked
    data = copy_repo(root, tmp_path / "repo")
    set_organization(data, repository=None)
    done = build(data, tmp_path / "site")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "`evidence: link`" in done.stderr and "chưa khai báo `repository`" in done.stderr
    assert not (tmp_path / "site").exists()


def test_link_mode_outside_git_is_refused(tmp_path):
    root = make_repo(tmp_path / "repo")
    set_organization(root, evidence="link")
    done = build(root, tmp_path / "site")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "không phải kho git hoặc chưa có commit" in done.stderr


def uncommitted_evidence(root: Path, data: Path) -> Path:
    """A copy of the linked repository with one committed PDF changed and a school never committed."""
    copy_repo(root, data)
    (data / EVIDENCE).write_bytes((data / EVIDENCE).read_bytes() + b"\n% changed after the commit\n")
    write_registry(
        data,
        PERIOD,
        "pgd-quan-1",
        [
            {
                "id": "thcs-demo-a",
                "name": "Trường THCS Demo A",
                "type": "truong-pho-thong",
                "level": "THCS",
                "area": "Quận 1",
                "editors": ["thcs-a"],
            },
            {
                "id": "thcs-demo-b",
                "name": "Trường THCS Demo B",
                "type": "truong-pho-thong",
                "level": "THCS",
                "area": "Quận 1",
                "editors": ["thcs-b"],
            },
        ],
        reviewers=["pgd-q1-reviewer"],
    )
    write_school(data, PERIOD, "pgd-quan-1", "thcs-demo-b")  # never committed
    return data


def test_link_mode_refuses_evidence_the_commit_does_not_hold(linked, tmp_path):
    data = uncommitted_evidence(linked[0], tmp_path / "repo")
    done = build(data, tmp_path / "site")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{EVIDENCE} (đã sửa sau commit)" in done.stderr
    assert f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b/ke-hoach-cntt.pdf (chưa có trong commit)" in done.stderr
    assert not (tmp_path / "site").exists()


def test_the_evidence_check_lists_the_commit_itself_when_the_clock_did_not(linked, tmp_path):
    """A build hands the check the clock's listing of HEAD; without one (no history read) the
    evidence store lists the pinned commit itself, and refuses the same files."""
    from site_builder.clock import read_clock
    from site_builder.website.evidence_files import EvidenceLinkError, EvidenceStore, pinned_source

    data = uncommitted_evidence(linked[0], tmp_path / "repo")
    clock = read_clock(data, [])
    assert clock.head is not None
    store = EvidenceStore(data, pinned_source(data, "link", REPOSITORY, clock.head.sha))
    for rel in (EVIDENCE, f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b/ke-hoach-cntt.pdf"):
        assert store.add(rel) is not None
    refusals = []
    # the last: validation vouching for another tree than the pinned commit's (a stale finding)
    for committed, clean in ((clock.files_at_head(), None), (None, None), (None, "0" * 40)):
        with pytest.raises(EvidenceLinkError) as refused:
            store.publish(tmp_path / "site", committed=committed, clean=clean)
        refusals.append(str(refused.value))
    clock.close()
    assert refusals[0] == refusals[1] == refusals[2]
    assert f"{EVIDENCE} (đã sửa sau commit)" in refusals[0] and "(chưa có trong commit)" in refusals[0]


def test_a_rebuild_refuses_evidence_edited_in_place_after_a_clean_build(linked, tmp_path):
    """A build whose validation found the checkout holding the pinned commit does not ask git
    again for the links; a PDF edited in place since the last (clean) build is still refused."""
    data = copy_repo(linked[0], tmp_path / "repo")
    first = build(data, tmp_path / "site")
    assert first.returncode == 0, first.stderr
    (data / EVIDENCE).write_bytes((data / EVIDENCE).read_bytes() + b"\n% changed after the commit\n")
    done = build(data, tmp_path / "site")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{EVIDENCE} (đã sửa sau commit)" in done.stderr


# ------------------------------------------------------------------------------- the JSON parts


def test_json_parts_split_a_large_body_and_read_back_whole(linked, tmp_path, monkeypatch):
    root, out, _ = linked
    whole = read_json(out, PERIOD)
    record = next(
        len(json.dumps(u, ensure_ascii=False, separators=(",", ":")).encode())
        for u in whole["units"]
        if u["id"] == "thcs-demo-a"
    )
    monkeypatch.setattr(downloads, "PART_LIMIT", record + 10)  # one submitted unit fills a part
    site = tmp_path / "site"
    build_site(root, site)
    index = json.loads((site / downloads.names(PERIOD)["json"]).read_text(encoding="utf-8"))
    office = [p for p in index["parts"] if p["body"] == "pgd-quan-1"]
    assert [p["file"] for p in office] == ["json/pgd-quan-1.json", "json/pgd-quan-1-2.json"]
    assert [p["part"] for p in office] == [1, 2] and sum(p["units"] for p in office) == 2
    schema = json.loads((PROJECT / "schema/download.schema.json").read_text(encoding="utf-8"))
    second = json.loads((site / downloads.FOLDER / PERIOD / office[1]["file"]).read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(second)
    assert second["body"] == {"id": "pgd-quan-1", "name": "Phòng Giáo dục và Đào tạo Quận 1", "part": 2, "parts": 2}
    assert read_json(site, PERIOD)["units"] == whole["units"]
    (site / downloads.FOLDER / PERIOD / office[1]["file"]).write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="SHA-256"):
        read_json(site, PERIOD)
    listing = page(site, "tai-du-lieu")
    assert (
        len(index["parts"]) >= 3
        and f'data-json-parts="{len(index["parts"])}"' in listing
        and "Phòng Giáo dục và Đào tạo Quận 1 (phần 2)" in listing
    )
    assert f'href="../tai-ve/{PERIOD}/json/pgd-quan-1-2.json" download' in listing


def test_a_csv_past_the_part_limit_comes_in_parts_of_whole_bodies(tmp_path):
    cols = [("Mã đơn vị", None), ("Tên", None)]
    row = lambda unit: f"{unit},Truong {unit}\r\n"  # noqa: E731 - 22 bytes a row
    blocks = [
        ("pgd-a", "Phòng A", row("a-0001"), 1, None),
        ("pgd-a", "Phòng A", row("a-0002"), 1, None),
        ("pgd-b", "Phòng B", row("b-0001"), 1, None),
        ("pgd-c", "Phòng C", row("c-0001"), 1, None),
        ("pgd-c", "Phòng C", row("c-0002"), 1, None),
        ("pgd-c", "Phòng C", row("c-0003"), 1, None),
        ("pgd-c", "Phòng C", row("c-0004"), 1, None),
    ]
    assert {len(b[2].encode()) for b in blocks} == {22}
    writer = SiteWriter(tmp_path)
    whole = downloads.write_csv_parts(writer, "t.csv", cols, iter(blocks))
    assert [p["file"] for p in whole] == ["t.csv"] and whole[0]["rows"] == 7
    header = "\ufeffMã đơn vị,Tên\r\n"
    parts = downloads.write_csv_parts(writer, "p.csv", cols, iter(blocks), part_limit=3 * 22)
    writer.finish()
    # A and B fit one part; C (4 rows) is larger than a part: cut between its units
    assert [(p["file"], p["first"], p["last"], p["rows"]) for p in parts] == [
        ("p-1.csv", "Phòng A", "Phòng B", 3),
        ("p-2.csv", "Phòng C", "Phòng C", 3),
        ("p-3.csv", "Phòng C", "Phòng C", 1),
    ]
    assert (tmp_path / "t.csv").read_bytes().decode() == header + "".join(b[2] for b in blocks)
    texts = [(tmp_path / p["file"]).read_bytes().decode() for p in parts]
    assert all(t.startswith(header) for t in texts)
    assert "".join(t[len(header) :] for t in texts) == "".join(b[2] for b in blocks)
    for p, t in zip(parts, texts):
        assert p["size"] == len(t.encode()) and p["sha256"] == hashlib.sha256(t.encode()).hexdigest()
    split = downloads.write_csv_parts(writer, "q.csv", cols, iter(blocks[:3]), part_limit=55)
    assert [p["rows"] for p in split] == [2, 1]  # B does not join A's part past the limit: a part of its own


def test_a_csv_part_written_for_the_same_blocks_is_kept_as_the_site_holds_it(tmp_path):
    """The manifest of the download parts keeps a CSV part whose blocks are named as when it was
    written: its bytes are not joined or read again (shown here by blocks whose text changed under
    the same names: the file keeps what was written), its size and SHA-256 are the ones recorded;
    a part with a block named otherwise, or not named, is written."""
    cache = BuildCache(tmp_path / "cache")
    cols = [("Mã đơn vị", None)]
    blocks = [(f"pgd-{b}", f"Phòng {b}", f"{b}-{n}\r\n", 1, f"khoa-{b}-{n}") for b in "abc" for n in range(2)]

    def written(blocks) -> tuple[list[dict], SiteWriter]:
        manifest = Manifest.load(cache, tmp_path / "site", downloads.PARTS_KIND)
        writer = SiteWriter(tmp_path / "site")
        parts = downloads.write_csv_parts(writer, "p.csv", cols, iter(blocks), part_limit=12, manifest=manifest)
        writer.finish()
        manifest.save(writer)
        return parts, writer

    first, _ = written(blocks)
    assert [p["file"] for p in first] == ["p-1.csv", "p-2.csv", "p-3.csv"]
    texts = {p["file"]: (tmp_path / "site" / p["file"]).read_bytes() for p in first}
    lied = [(*b[:2], b[2].upper(), *b[3:]) for b in blocks]  # other text, the same names
    lied[4] = (*lied[4][:4], "khoa-c-0-khac")  # named otherwise: part 3 is written
    again, writer = written(lied)
    assert writer.kept == {"p-1.csv", "p-2.csv"}
    assert again[:2] == first[:2]  # size and SHA-256 as recorded
    assert [(tmp_path / "site" / p["file"]).read_bytes() for p in again[:2]] == [texts["p-1.csv"], texts["p-2.csv"]]
    assert (tmp_path / "site" / "p-3.csv").read_bytes().endswith(b"C-0\r\nC-1\r\n")
    unnamed = [(*b[:4], None) for b in blocks]
    _, writer = written(unnamed)
    assert not writer.kept & {"p-1.csv", "p-2.csv", "p-3.csv"}
    assert (tmp_path / "site" / "p-1.csv").read_bytes().endswith(b"a-0\r\na-1\r\n")


def test_a_units_csv_block_is_named_with_its_ranks_and_a_criteria_block_without():
    """The units CSV shows each unit's ranks, which move with other units' scores: a part of it is
    kept only for the same ranks. The criteria CSV shows none: its parts stay as they are."""

    def body(ranks: tuple) -> downloads.BodyRows:
        rows = downloads.UnitRows("thcs-a", "truong", b"a,1\r\n", b"a,x\r\n", 1, b"", (), ranks, (-1, -1), 0, b"")
        return downloads.BodyRows("pgd-a", "Phòng A", [rows], "khoa-than", list, ["khoa-a"])

    before, after = body((1, 2)), body((2, 3))
    assert [b[4] for b in downloads.unit_blocks([before])] != [b[4] for b in downloads.unit_blocks([after])]
    assert [b[4] for b in downloads.criteria_blocks([before])] == [b[4] for b in downloads.criteria_blocks([after])]
    unnamed = before._replace(unit_keys=None)
    assert [b[4] for b in downloads.unit_blocks([unnamed])] == [None]
