"""Rebuilds on a real git repository: unchanged files are left alone (same inode, same time),
a changed submission changes its unit's page and no other unit's, stale files go, a kept page
has the bytes a fresh render has; the scoring workbook of a body whose files did not change is
not made again; and the forked page workers write the same bytes as one process."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest

from site_builder import check_store
from site_builder import review_workbook as rw
from tests.datarepo import (
    OFFICE_UNITS,
    build_in_new_process,
    lower_a_self_score,
    pdf_bytes,
    two_schools_committed,
    write_registry,
    write_school,
)
from tests.demo_repo import replayed_demo

pytestmark = pytest.mark.slow
PERIOD = "2023-2024"
SCHOOL = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml"


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()
    }


build = build_in_new_process


def cached_workbooks(cache: Path) -> dict[str, tuple[int, int]]:
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache.glob("site-builder/build/*/blobs/workbooks/*")
    }


def workbooks(site: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in (site / "tai-ve/bang-cham" / PERIOD).glob("*.xlsx")
    }


def provenance(data: bytes) -> tuple[str, dt.datetime]:
    """The commit a workbook names (hidden sheet) and its creation date (file properties)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    meta = {row[0].value: row[1].value for row in book[rw.META_SHEET].iter_rows()}
    return meta["made_from"], book.properties.created


def checks_folder(cache: Path) -> Path:
    return next(cache.glob("site-builder/build/*/checks"))


def cached_checks(cache: Path) -> set[str]:
    return set(check_store.stored(checks_folder(cache)))


def pack_times(cache: Path) -> dict[str, int]:
    """Each file of the kept verdicts (check_store.py) -> its modification time."""
    return {p.name: p.stat().st_mtime_ns for p in checks_folder(cache).iterdir()}


def registry_verdicts(cache: Path) -> dict[str, bytes]:
    """The kept verdicts on a period's registry (check_cache.period_registry) among all kept ones."""
    import pickle

    from site_builder.model import PeriodRegistry

    found = {}
    for key, data in check_store.stored(checks_folder(cache)).items():
        verdict = pickle.loads(data)
        if isinstance(verdict, tuple) and isinstance(verdict[0], PeriodRegistry):
            found[key] = data
    return found


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return two_schools_committed(tmp_path / "data")


def test_a_rebuild_rewrites_only_what_changed(repo, tmp_path):
    root, git = repo
    site = tmp_path / "site"
    build(root, site)
    (site / "cu-khong-con-dung.html").write_text("tệp của lần xây dựng trước", encoding="utf-8")
    first = snapshot(site)

    checks = cached_checks(tmp_path / "cache")
    assert checks  # one verdict per unit file
    build(root, site)  # nothing changed: every file stays the very same file
    assert cached_checks(tmp_path / "cache") == checks  # the verdicts were reused (publishing moved no key)
    second = snapshot(site)
    assert "cu-khong-con-dung.html" not in second
    del first["cu-khong-con-dung.html"]
    assert second == first

    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    page = f"{PERIOD}/don-vi/thcs-demo-a/index.html"
    old_page = (site / page).read_text(encoding="utf-8")
    old_pages = {rel: (site / rel).read_bytes() for rel in second if rel.startswith(f"{PERIOD}/don-vi/")}
    build(root, site)
    third = snapshot(site)
    assert (site / page).read_text(encoding="utf-8") != old_page
    assert third[page] != second[page]
    assert git.head()[:12] in (site / page).read_text(encoding="utf-8")  # the unit's new data version is shown
    for rel in second:  # evidence and theme files were not touched
        if rel.startswith(("minh-chung/", "assets/")):
            assert third[rel] == second[rel], rel
    unit_pages = [rel for rel in second if rel.startswith(f"{PERIOD}/don-vi/") and rel.endswith("index.html")]
    assert len(unit_pages) >= 3
    # Another unit's page changes only when what it shows changed (a tie in rank broken, here, or
    # the office whose school changed); a school of another body shows nothing that changed.
    kept = [rel for rel in unit_pages if third[rel] == second[rel]]
    assert kept and page not in kept
    assert all(old_pages[rel] == (site / rel).read_bytes() for rel in kept)
    assert f"{PERIOD}/don-vi/thpt-demo-a/index.html" in kept  # another body's school: the very same file
    office = (site / f"{PERIOD}/don-vi/pgd-quan-1/index.html").read_text(encoding="utf-8")
    assert git.head()[:12] in office  # an office's data version covers the schools under it


def test_a_changed_self_score_remakes_only_its_bodys_workbook(repo, tmp_path):
    """Two bodies with submissions; a commit changes one school of pgd-quan-1. The Department's
    workbook keeps its bytes and its file (inode and time, on the site and in the cache); each
    workbook names the newest commit of its own body's files, dated by that commit."""
    root, git = repo
    write_school(root, PERIOD, "so-gddt", "thpt-demo-a")
    department = git.commit("THPT Demo A nộp bài", author_time=dt.datetime(2024, 5, 2, 15, tzinfo=dt.UTC))
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(root, site)
    office_name, department_name = rw.file_name(PERIOD, "pgd-quan-1"), rw.file_name(PERIOD, "so-gddt")
    before, kept_before = workbooks(site), cached_workbooks(cache)
    assert set(before) == {office_name, department_name} and len(kept_before) == 2
    office_commit = git.git("log", "-1", "--format=%H", "--", f"submissions/{PERIOD}/pgd-quan-1")
    assert provenance(before[department_name][2]) == (
        department,
        dt.datetime(2024, 5, 2, 22),
    )  # 15:00 UTC = 22:00 in Vietnam
    assert provenance(before[office_name][2]) == (office_commit, dt.datetime(2024, 5, 2, 16))
    assert office_commit != department

    changed = lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)
    after, kept_after = workbooks(site), cached_workbooks(cache)
    assert after[department_name] == before[department_name]  # same bytes, same file, same time
    assert after[office_name][2] != before[office_name][2]
    assert after[office_name][:2] != before[office_name][:2]
    assert provenance(after[office_name][2]) == (changed, dt.datetime(2024, 5, 3, 16))
    reused = set(kept_after) & set(kept_before)
    assert len(reused) == 1 and len(kept_after) == 2  # the Department's entry reused, the office's replaced
    assert all(kept_after[key] == kept_before[key] for key in reused)


def test_a_workbook_the_site_holds_as_made_is_left_unread_and_one_changed_there_is_put_back(repo, tmp_path):
    """The Department's workbook did not change: the site's file is kept as it is and the cache's
    entry is not read (made unreadable here, it stays so: read, it would have been made again and
    replaced), and its body's page shows its size. Changed in the site (same size, other bytes),
    it is put back from the cache."""
    from site_builder.website.pages import _size

    root, git = repo
    write_school(root, PERIOD, "so-gddt", "thpt-demo-a")
    git.commit("THPT Demo A nộp bài", author_time=dt.datetime(2024, 5, 2, 15, tzinfo=dt.UTC))
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(root, site)
    name = rw.file_name(PERIOD, "so-gddt")
    before = workbooks(site)[name]
    entry = next(p for p in cache.glob("site-builder/build/*/blobs/workbooks/*") if p.read_bytes() == before[2])
    entry.write_bytes(b"khong phai bang tinh")

    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)
    assert workbooks(site)[name] == before
    assert entry.read_bytes() == b"khong phai bang tinh"
    page = (site / PERIOD / "quan-ly/so-gddt/index.html").read_text(encoding="utf-8")
    assert f"(XLSX, {_size(len(before[2]))})" in page

    entry.write_bytes(before[2])
    placed = site / "tai-ve/bang-cham" / PERIOD / name
    placed.write_bytes(before[2][:-1] + b"\0")
    build(root, site)
    assert placed.read_bytes() == before[2]


def test_forked_page_workers_write_what_one_process_writes(repo, tmp_path, monkeypatch):
    root, _git = repo
    monkeypatch.setenv("SITE_BUILDER_NO_CACHE", "1")
    monkeypatch.setenv("SITE_BUILDER_PARALLEL_PAGES", "0")
    build(root, tmp_path / "serial")
    monkeypatch.setenv("SITE_BUILDER_PARALLEL_PAGES", "1")
    monkeypatch.setenv("SITE_BUILDER_MEMORY_MB", "100000")
    assert unit_pages_done(build(root, tmp_path / "forked"))["processes"] >= 2
    serial = {
        p.relative_to(tmp_path / "serial"): p.read_bytes() for p in (tmp_path / "serial").rglob("*") if p.is_file()
    }
    forked = {
        p.relative_to(tmp_path / "forked"): p.read_bytes() for p in (tmp_path / "forked").rglob("*") if p.is_file()
    }
    assert serial.keys() == forked.keys()
    assert [k for k in serial if serial[k] != forked[k]] == []
    assert any(str(k).startswith(f"{PERIOD}/don-vi/") for k in forked)
    assert not (tmp_path / "cache/site-builder/build").exists()  # SITE_BUILDER_NO_CACHE: no build cache


def test_kept_pages_equal_freshly_rendered_ones(repo, tmp_path, monkeypatch):
    """After a commit that changes one unit, the pages kept from the last build have the bytes a
    build without any cache writes, and each names its own unit's data version."""
    root, git = repo
    build(root, tmp_path / "warm")
    first_commit = git.head()
    other = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b.yaml"
    text = (root / other).read_text(encoding="utf-8")
    git.commit(
        "Sửa một đơn vị khác", {other: text + "\n# ghi chú\n"}, author_time=dt.datetime(2024, 5, 4, 9, tzinfo=dt.UTC)
    )
    before = snapshot(tmp_path / "warm")
    build(root, tmp_path / "warm")
    after = snapshot(tmp_path / "warm")
    kept = f"{PERIOD}/don-vi/thcs-demo-a/index.html"
    assert after[kept] == before[kept]  # not rewritten
    assert first_commit[:12] in (tmp_path / "warm" / kept).read_text(encoding="utf-8")
    changed = f"{PERIOD}/don-vi/thcs-demo-b/index.html"
    assert after[changed] != before[changed]
    assert git.head()[:12] in (tmp_path / "warm" / changed).read_text(encoding="utf-8")
    monkeypatch.setenv("SITE_BUILDER_NO_CACHE", "1")
    build(root, tmp_path / "cold")
    for page in (tmp_path / "cold" / PERIOD / "don-vi").glob("*/index.html"):
        rel = page.relative_to(tmp_path / "cold")
        assert (tmp_path / "warm" / rel).read_bytes() == page.read_bytes(), rel
    made = list((tmp_path / "cold").glob("tai-ve/bang-cham/*/*.xlsx"))  # scoring workbooks too
    assert made
    for workbook in made:
        rel = workbook.relative_to(tmp_path / "cold")
        assert (tmp_path / "warm" / rel).read_bytes() == workbook.read_bytes(), rel


def unit_pages_done(output: str) -> dict[str, int]:
    """The counts `build --timings` prints for unit pages: rendered (and by how many processes),
    given new ranks, kept."""
    import re

    found = re.search(
        r"Trang đơn vị: (\d+) trang tạo lại \((\d+) tiến trình\), (\d+) trang chỉ cập nhật hạng, (\d+) trang giữ nguyên",
        output,
    )
    assert found, output
    return dict(zip(("rendered", "processes", "ranked", "kept"), map(int, found.groups())))


def test_a_page_whose_ranks_alone_moved_gets_new_rank_cards_as_a_fresh_render_has_them(repo, tmp_path, monkeypatch):
    """Two schools of pgd-quan-1 tie; one lowers a self-score. The other shows nothing new but its
    ranks (the tie is broken): its page gets new rank cards without being rendered, and has the
    bytes a build without cache writes."""
    root, git = repo
    warm = tmp_path / "warm"
    first = unit_pages_done(build(root, warm))
    assert first["ranked"] == first["kept"] == 0 and first["rendered"] >= 3
    sibling = warm / f"{PERIOD}/don-vi/thcs-demo-b/index.html"
    assert "(đồng hạng)" in sibling.read_text(encoding="utf-8")
    unchanged = unit_pages_done(build(root, warm))
    assert unchanged == {"rendered": 0, "processes": 1, "ranked": 0, "kept": first["rendered"]}

    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    done = unit_pages_done(build(root, warm))
    assert done["ranked"] >= 1 and done["kept"] >= 1
    assert done["rendered"] + done["ranked"] + done["kept"] == first["rendered"]
    assert "(đồng hạng)" not in sibling.read_text(encoding="utf-8")
    monkeypatch.setenv("SITE_BUILDER_NO_CACHE", "1")
    build(root, tmp_path / "cold")
    for page in (tmp_path / "cold" / PERIOD / "don-vi").glob("*/index.html"):
        rel = page.relative_to(tmp_path / "cold")
        assert (warm / rel).read_bytes() == page.read_bytes(), rel


def test_workers_are_forked_for_many_pages_to_render_not_for_many_units(repo, tmp_path, monkeypatch):
    """Forking is decided on the pages left to render once the kept ones are known: a rebuild
    after one change renders its few pages in the build's process (a worker forked from a
    national build's process counts its whole memory in its own RSS)."""
    root, git = repo
    site = tmp_path / "site"
    monkeypatch.setenv("SITE_BUILDER_PARALLEL_PAGES", "3")  # fork from 3 pages to render
    monkeypatch.setenv("SITE_BUILDER_MEMORY_MB", "100000")
    first = unit_pages_done(build(root, site))
    assert first["rendered"] >= 3 and first["processes"] >= 2
    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    again = unit_pages_done(build(root, site))
    assert 1 <= again["rendered"] < 3 and again["processes"] == 1
    assert again["rendered"] + again["ranked"] + again["kept"] == first["rendered"]


def test_no_worker_is_forked_beyond_the_memory_budget(repo, tmp_path, monkeypatch):
    """A forked worker counts its parent's memory in its own RSS: with the build's process alone
    over the budget, the pages are rendered in it, and are the same."""
    root, _git = repo
    monkeypatch.setenv("SITE_BUILDER_NO_CACHE", "1")
    monkeypatch.setenv("SITE_BUILDER_PARALLEL_PAGES", "1")
    monkeypatch.setenv("SITE_BUILDER_MEMORY_MB", "100000")
    forked = unit_pages_done(build(root, tmp_path / "forked"))
    monkeypatch.setenv("SITE_BUILDER_MEMORY_MB", "64")  # less than the build's process alone
    alone = unit_pages_done(build(root, tmp_path / "alone"))
    assert forked["processes"] >= 2 and alone["processes"] == 1
    assert alone["rendered"] == forked["rendered"] >= 3
    unit = f"{PERIOD}/don-vi/thcs-demo-a/index.html"
    assert (tmp_path / "alone" / unit).read_bytes() == (tmp_path / "forked" / unit).read_bytes()


def test_the_search_index_is_kept_while_names_stay_and_made_again_when_one_changes(repo, tmp_path):
    """The search index (search_index.py) is one cache entry: a score change reuses it, a renamed
    unit makes a new one, which replaces it and finds the new name."""
    import gzip

    import yaml

    root, git = repo
    site, cache = tmp_path / "site", tmp_path / "cache"

    def kept() -> list[str]:
        return sorted(p.name for p in cache.glob("site-builder/build/*/blobs/search/*"))

    def indexed_titles() -> set[str]:
        titles = set()
        for fragment in (site / "pagefind/fragment").glob("*.pf_fragment"):
            data = gzip.decompress(fragment.read_bytes())
            titles.add(yaml.safe_load(data[len(b"pagefind_dcd") :])["meta"]["title"])
        return titles

    build(root, site)
    first = kept()
    assert len(first) == 1
    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)
    assert kept() == first
    registry = f"submissions/units/{PERIOD}/pgd-quan-1.yaml"
    data = yaml.safe_load((root / registry).read_text(encoding="utf-8"))
    unit = next(u for u in data["units"] if "thcs-demo-a" in u.values())
    unit["name"] = "Trường THCS Đổi Tên"
    git.commit(
        "Đổi tên trường",
        {registry: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)},
        author_time=dt.datetime(2024, 5, 4, 9, tzinfo=dt.UTC),
    )
    build(root, site)
    assert len(kept()) == 1 and kept() != first
    assert "Trường THCS Đổi Tên" in indexed_titles()


def test_the_index_files_a_site_holds_as_written_are_kept_there_unread(repo, tmp_path):
    """A rebuild whose entries did not change keeps the index files the output folder holds as the
    last build wrote them: not rewritten, and the cache's entry not read (it is made unreadable
    here and stays so: had it been read, Pagefind would have run and replaced it). A file of the
    index gone or changed in the site brings the index back from the cache."""
    root, git = repo
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(root, site)
    index = {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    fragments = sorted(rel for rel in index if rel.endswith(".pf_fragment"))
    assert len(fragments) >= 3
    before = snapshot(site)
    (entry,) = cache.glob("site-builder/build/*/blobs/search/*")
    kept_entry = entry.read_bytes()
    entry.write_bytes(b"khong phai pickle")

    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))  # a score, not a name
    build(root, site)
    after = snapshot(site)
    assert after[f"{PERIOD}/don-vi/thcs-demo-a/index.html"] != before[f"{PERIOD}/don-vi/thcs-demo-a/index.html"]
    assert {rel: after[rel] for rel in index} == {rel: before[rel] for rel in index}
    assert entry.read_bytes() == b"khong phai pickle"

    entry.write_bytes(kept_entry)
    (site / fragments[0]).unlink()
    (site / fragments[1]).write_bytes(b"x" * len(index[fragments[1]]))  # the same size, other bytes
    build(root, site)
    assert {p.relative_to(site).as_posix() for p in (site / "pagefind").rglob("*") if p.is_file()} == set(index)
    assert {rel: (site / rel).read_bytes() for rel in index} == index
    assert snapshot(site)[fragments[2]] == before[fragments[2]]  # an intact file is still not rewritten


def test_json_parts_of_unchanged_bodies_stay_and_the_index_lists_what_the_site_holds(repo, tmp_path):
    """After one unit's change its body's JSON part is written again and the other bodies' parts
    stay the very same files; the year's index lists the size and SHA-256 of every part as the
    site holds it, and the JSON reads back as a build without any cache makes it. A kept part
    changed in the site (same size, other bytes) is written again."""
    from site_builder.website.downloads import FOLDER, read_json

    root, git = repo
    site = tmp_path / "site"
    build(root, site)
    folder = site / FOLDER / PERIOD / "json"
    before = snapshot(folder)
    assert {"pgd-quan-1.json", "so-gddt.json"} <= set(before)
    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)
    after = snapshot(folder)
    assert after["pgd-quan-1.json"] != before["pgd-quan-1.json"]  # the changed unit's body
    assert after["so-gddt.json"] == before["so-gddt.json"]
    fresh = tmp_path / "fresh"
    build(root, fresh, XDG_CACHE_HOME=str(tmp_path / "no-cache"))
    assert read_json(site, PERIOD)["units"] == read_json(fresh, PERIOD)["units"]

    kept = folder / "so-gddt.json"
    data = kept.read_bytes()
    kept.write_bytes(data.replace(b'"units":[', b'"units":[ ', 1)[:-1])  # same size, other bytes
    build(root, site)
    assert kept.read_bytes() == data
    assert read_json(site, PERIOD)["units"] == read_json(fresh, PERIOD)["units"]


def test_a_second_build_of_the_same_data_waits_for_the_first(repo, tmp_path):
    """Two builds of one data folder share its cache: the second waits (and says so) while the
    first holds it, then builds as if alone."""
    import subprocess
    import sys
    import time

    from site_builder import build_cache

    root, _git = repo
    build(root, tmp_path / "first")
    first = build_cache.open_for(root, hold=True)  # this process plays the first build
    assert first is not None
    try:
        second = subprocess.Popen(
            [sys.executable, "-m", "site_builder", "--root", str(root), "build", "--out", str(tmp_path / "second")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        said = second.stderr.readline()  # what the second build says first, while it waits (or as it ends)
        assert said.strip() == build_cache.WAITING, said + second.communicate()[1]
        time.sleep(1)
        assert second.poll() is None  # still waiting
    finally:
        build_cache.close()
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    pages = sorted(p.relative_to(tmp_path / "second") for p in (tmp_path / "second").rglob("*.html"))
    assert pages == sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*.html"))


WARD = "vhxh-phuong-x"  # a reviewing body that is not assessed itself, beside pgd-quan-1
WARD_SCHOOL = {
    "id": "thcs-demo-x",
    "name": "Trường THCS Demo X",
    "type": "truong-pho-thong",
    "level": "THCS",
    "area": "Phường X",
    "editors": ["thcs-x"],
}


def test_a_body_page_names_its_own_data_version_and_is_kept_while_other_bodies_change(repo, tmp_path, monkeypatch):
    """A second body (not assessed itself) files a school; then a commit changes a school of
    pgd-quan-1. The second body's page keeps its file (inode and time) and its commit;
    pgd-quan-1's page is rewritten and names the new commit, as does the Department's (the office
    is one of its rows). No body's page says when it was built, and kept pages have the bytes a
    build without any cache writes."""
    root, git = repo
    initial = git.head()
    write_registry(
        root,
        PERIOD,
        WARD,
        [WARD_SCHOOL],
        reviewers=["vhxh-x"],
        name="Phòng Văn hoá – Xã hội phường X",
        parent="so-gddt",
    )
    write_school(root, PERIOD, WARD, WARD_SCHOOL["id"])
    ward_commit = git.commit("Phường X nộp bài", author_time=dt.datetime(2024, 5, 2, 15, tzinfo=dt.UTC))
    site = tmp_path / "warm"
    build(root, site)
    ward, office, department = (f"{PERIOD}/quan-ly/{body}/index.html" for body in (WARD, "pgd-quan-1", "so-gddt"))
    for page, commit in ((ward, ward_commit), (office, initial), (department, initial)):
        text = (site / page).read_text(encoding="utf-8")
        assert commit[:12] in text and commit[:10] in text, page  # the print sheet and the provenance line
        assert git.head()[:10] not in text or commit == git.head(), page
        assert "trang tạo ngày" not in text and "đơn vị quản lý hoặc của một đơn vị trực thuộc thay đổi" in text
    before = snapshot(site)

    changed = lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)
    after = snapshot(site)
    assert after[ward] == before[ward]  # the very same file: not written again
    assert ward_commit[:12] in (site / ward).read_text(encoding="utf-8")
    for page in (office, department):
        assert after[page] != before[page], page
        text = (site / page).read_text(encoding="utf-8")
        assert changed[:12] in text and initial[:12] not in text, page

    # Kept without being rendered or read: the manifest trusts a file whose size, time and inode
    # are those it wrote (a same-size edit that restores the time is left as it is).
    stat = (site / ward).stat()
    tampered = (site / ward).read_bytes().replace(b"Demo X", b"Demo Y")
    with open(site / ward, "r+b") as handle:
        handle.write(tampered)
    os.utime(site / ward, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build(root, site)
    assert b"Demo Y" in (site / ward).read_bytes() and snapshot(site)[ward] == after[ward]
    (site / ward).write_bytes(tampered)  # a changed time: the page is made again
    build(root, site)
    assert b"Demo Y" not in (site / ward).read_bytes()

    monkeypatch.setenv("SITE_BUILDER_NO_CACHE", "1")
    build(root, tmp_path / "cold")
    made = list((tmp_path / "cold" / PERIOD / "quan-ly").glob("*/index.html"))
    assert len(made) == 3
    for page in made:
        rel = page.relative_to(tmp_path / "cold")
        assert (site / rel).read_bytes() == page.read_bytes(), rel


def test_a_fresh_checkout_of_the_same_data_reuses_the_verdicts(repo, tmp_path):
    """A publishing run checks out the data anew (every file with a new inode and time) at the
    same place: its verdicts are keyed by content, so the kept ones serve it (publish.yml)."""
    import shutil
    import subprocess

    root, _git = repo
    build(root, tmp_path / "site")
    kept = pack_times(tmp_path / "cache")
    assert kept
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    shutil.rmtree(root)
    clone.rename(root)
    assert next(root.rglob("*.pdf")).stat().st_mtime_ns > max(kept.values())  # files written anew
    build(root, tmp_path / "site-2")
    assert pack_times(tmp_path / "cache") == kept  # none checked again, none rewritten


def test_a_build_keeps_the_verdicts_it_looked_up_and_drops_what_is_worth_dropping(repo, tmp_path):
    """One build's worth: a pack holding only verdicts it did not look up goes, and so does
    anything else there; a changed file's old verdict stays in its pack, which is not written
    again for it (check_store.py), and its new verdict joins in a small pack."""
    root, git = repo
    build(root, tmp_path / "site")
    checks = checks_folder(tmp_path / "cache")
    before = cached_checks(tmp_path / "cache")
    store = check_store.CheckStore(checks)
    stale = "ab" + "0" * 62
    store.put(stale, b"x")
    store.flush()
    store.close()
    stray = checks / "ab" / ("ab" + "1" * 62)  # a verdict of the layout before packs
    stray.parent.mkdir()
    stray.write_bytes(b"x")
    assert stale in cached_checks(tmp_path / "cache")
    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, tmp_path / "site")
    after = cached_checks(tmp_path / "cache")
    assert stale not in after and not stray.parent.exists()
    assert after - before and before <= after  # the changed school's new verdicts, beside the old
    assert len(list(checks.glob("*.pack"))) == 2  # the first build's, left as it was, and the new verdicts'


def test_pages_restored_into_a_fresh_output_folder_are_kept_when_their_bytes_are_the_recorded_ones(repo, tmp_path):
    """publish.yml restores the unit and body pages of its last build into an empty output folder:
    copies, so other inodes and times. A page is kept when its bytes are the ones the manifest
    recorded, and rendered again when they are not (here: one byte changed, same size)."""
    import shutil

    root, _git = repo
    site = tmp_path / "site"
    build(root, site)
    kept = [p for folder in ("don-vi", "quan-ly") for p in (site / PERIOD / folder).rglob("*") if p.is_file()]
    pages = {p.relative_to(site).as_posix(): p.read_bytes() for p in kept}  # with the units' templates
    units = [rel for rel in pages if rel.startswith(f"{PERIOD}/don-vi/") and rel.endswith("/index.html")]
    assert len(units) >= 3 and any(rel.startswith(f"{PERIOD}/quan-ly/") for rel in pages)
    shutil.rmtree(site)
    for rel, data in pages.items():  # what the workflow's cache gives back: these files alone
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    tampered = site / units[0]
    tampered.write_bytes(pages[units[0]].replace(b"<main", b"<MAIN", 1))
    assert tampered.read_bytes() != pages[units[0]]
    done = unit_pages_done(build(root, site))
    assert done["rendered"] == 1 and done["kept"] == len(units) - 1
    assert {rel: (site / rel).read_bytes() for rel in pages} == pages  # the tampered page rendered as before
    for rel in pages:  # what the workflow saves now: the same bytes, recorded with their new stamps
        (site / rel).write_bytes(pages[rel])
    done = unit_pages_done(build(root, site))
    assert done["rendered"] == 0 and done["kept"] == len(units)


def test_a_period_registry_is_read_again_only_when_one_of_its_files_changed(repo, tmp_path):
    """~600 files at national scale: an unchanged registry is the last build's verdict (a name
    planted in it shows), a changed file makes it read again (and the old verdict goes)."""
    import dataclasses
    import pickle

    root, git = repo
    site = tmp_path / "site"
    build(root, site)
    [(kept, data)] = registry_verdicts(tmp_path / "cache").items()
    registry, problems = pickle.loads(data)
    planted = "Tên chỉ có trong bản đã lưu"
    registry.units["thcs-demo-b"] = dataclasses.replace(registry.units["thcs-demo-b"], name=planted)
    store = check_store.CheckStore(checks_folder(tmp_path / "cache"))
    store.put(kept, pickle.dumps((registry, problems)))  # a newer pack: its entry is the one read
    store.flush()
    store.close()
    build(root, site)
    # The rankings are made anew from every unit's facts (the unit's page, facts and listing row
    # are kept: the files they are made of did not change), and name each unit as the registry
    # read says.
    assert planted in (site / "xep-hang/index.html").read_text(encoding="utf-8")  # the latest period's
    page = site / PERIOD / "don-vi/thcs-demo-b/index.html"

    renamed = [{**u, "name": "Trường THCS Demo B mới"} if u["id"] == "thcs-demo-b" else u for u in OFFICE_UNITS]
    write_registry(root, PERIOD, "pgd-quan-1", renamed, reviewers=["pgd-q1-reviewer"])
    git.commit("Đổi tên trường", author_time=dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)
    text = page.read_text(encoding="utf-8")
    assert "Trường THCS Demo B mới" in text and planted not in text
    [now] = registry_verdicts(tmp_path / "cache")  # the old verdict went
    assert now != kept


def test_a_fresh_clone_takes_the_evidence_digests_kept_for_their_git_blobs(repo, tmp_path, monkeypatch):
    """Publishing starts from a fresh clone, where every file has new stamps: no PDF is read to be
    hashed again (its SHA-256 is the one kept for its git blob), but one edited since, not
    committed, is, even at the same size."""
    import hashlib
    import shutil
    import subprocess

    from site_builder.cli import main

    root, _git = repo
    build(root, tmp_path / "site")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    shutil.rmtree(root)
    clone.rename(root)
    edited = root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b/ke-hoach-cntt.pdf"
    content = pdf_bytes("thcs-demo-z")
    assert len(content) == edited.stat().st_size and content != edited.read_bytes()
    edited.write_bytes(content)
    hashed = []
    file_digest = hashlib.file_digest

    def counted(handle, name):
        hashed.append(str(handle.name))
        return file_digest(handle, name)

    monkeypatch.setattr(hashlib, "file_digest", counted)
    assert main(["--root", str(root), "build", "--out", str(tmp_path / "site")]) == 0
    assert [p for p in hashed if p.endswith(".pdf")] == [str(edited)]
    page = (tmp_path / "site" / PERIOD / "don-vi/thcs-demo-b/index.html").read_text(encoding="utf-8")
    assert hashlib.sha256(content).hexdigest() in page


def test_a_rebuild_of_the_demo_with_nothing_changed_renders_no_unit_page(tmp_path_factory, tmp_path, monkeypatch):
    """A page's key is the same whether its unit's facts were gathered (a first build) or read
    back from the cache (a rebuild): the demo's units have reviewer scores brought by commits,
    several years and units that continue others, all of which a page's key digests."""
    demo = replayed_demo(tmp_path_factory)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    site = tmp_path / "site"
    first = unit_pages_done(build(demo, site))
    assert first["rendered"] > 200 and first["kept"] == 0
    again = unit_pages_done(build(demo, site))
    assert (again["rendered"], again["ranked"], again["kept"]) == (0, 0, first["rendered"])
