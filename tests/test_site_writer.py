"""The site writer on a real folder: what a build no longer makes is deleted, with every folder
left empty by it (and only those), and a file whose bytes are the same is not rewritten."""

from __future__ import annotations

import os
from pathlib import Path

from site_builder.website.site_writer import SiteWriter


def files_and_folders(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() + ("/" if p.is_dir() else "") for p in site.rglob("*"))


def existing_site(site: Path, files: dict[str, str]) -> Path:
    """`site` as an earlier build left it: these files (site-relative path -> text)."""
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    return site


def test_finish_deletes_what_was_not_made_and_the_folders_it_empties(tmp_path):
    earlier = ("a/keep.html", "a/b/c/old.html", "x/y/stale.txt", "x/kept.txt", "p/q/r/s/deep.txt")
    site = existing_site(tmp_path / "site", {rel: rel for rel in earlier})
    (site / "d/e").mkdir(parents=True)  # an empty folder: nothing is made there either
    kept_inode = (site / "a/keep.html").stat().st_ino

    writer = SiteWriter(site)
    writer.write("a/keep.html", "a/keep.html")  # the same bytes
    writer.write("x/kept.txt", "new bytes")
    writer.write("z/new.html", "<p>mới</p>")
    assert writer.finish() == 3

    assert files_and_folders(site) == ["a/", "a/keep.html", "x/", "x/kept.txt", "z/", "z/new.html"]
    assert (site / "a/keep.html").stat().st_ino == kept_inode
    assert (site / "x/kept.txt").read_text(encoding="utf-8") == "new bytes"


def test_a_folder_with_a_file_the_build_made_stays(tmp_path):
    site = existing_site(tmp_path / "site", {"m/n/old.txt": "cũ"})
    writer = SiteWriter(site)
    writer.write("m/n/index.html", "mới")
    writer.finish()
    assert files_and_folders(site) == ["m/", "m/n/", "m/n/index.html"]


def test_a_new_site_is_written_in_place_and_removed_whole_when_the_build_stops(tmp_path):
    """Into a folder the build creates, files go straight to their place (no temporary file is
    left to rename); a build that stops removes the folder; a later write of a place wins."""
    site = tmp_path / "site"
    writer = SiteWriter(site)
    writer.write("a/b/index.html", "đầu")
    writer.write("a/b/index.html", "sau")
    writer.write("c.txt", b"\x00\x01")
    assert files_and_folders(site) == ["a/", "a/b/", "a/b/index.html", "c.txt"]
    assert (site / "a/b/index.html").read_text(encoding="utf-8") == "sau"
    assert writer.finish() == 0
    assert files_and_folders(site) == ["a/", "a/b/", "a/b/index.html", "c.txt"]
    assert writer.sizes == {"a/b/index.html": 3, "c.txt": 2}

    again = SiteWriter(tmp_path / "other")
    again.write("x/y.html", "một nửa")
    again.abort()
    assert not (tmp_path / "other").exists()


def test_an_existing_site_keeps_its_pages_until_finish(tmp_path):
    site = existing_site(tmp_path / "site", {"p/index.html": "cũ"})
    writer = SiteWriter(site)
    writer.write("p/index.html", "mới")
    assert (site / "p/index.html").read_text(encoding="utf-8") == "cũ"  # a reader still sees the old page
    writer.abort()
    assert files_and_folders(site) == ["p/", "p/index.html"]
    assert (site / "p/index.html").read_text(encoding="utf-8") == "cũ"


def test_the_digest_noted_for_a_place_is_that_of_the_bytes_left_there(tmp_path):
    """A manifest records these digests instead of reading the pages back, and the stamps it found
    for the places kept: each digest must be the SHA-256 of what the place holds once the site is
    in place, through rewrites, keeps and the pages a forked worker's writer hands over."""
    import hashlib

    site = existing_site(tmp_path / "site", {"same.html": "giữ nguyên", "kept.html": "cũ"})
    writer = SiteWriter(site)
    worker = SiteWriter(site)  # a worker's writer, as unit_pages.py makes one
    writer.write("same.html", "giữ nguyên", digest=True)  # the bytes already there
    writer.write("twice.html", "lần đầu", digest=True)
    writer.write("twice.html", "lần hai", digest=True)  # the last write wins
    writer.write("plain.html", "không ghi dấu", digest=True)
    writer.write("plain.html", "không ghi dấu nữa")  # written again without one: none noted
    writer.write("kept.html", "mới", digest=True)
    writer.keep("kept.html", 3)  # kept as the earlier build left it: not what was written
    worker.write("from-worker.html", "trang của tiến trình con", digest=True)
    writer.adopt(worker.plan())
    writer.finish()

    on_disk = {rel: hashlib.sha256((site / rel).read_bytes()).hexdigest() for rel in writer.digests}
    assert writer.digests == on_disk
    assert sorted(writer.digests) == ["from-worker.html", "same.html", "twice.html"]
    assert writer.kept == {"kept.html"}
    assert (site / "from-worker.html").read_text(encoding="utf-8") == "trang của tiến trình con"


def finished(site: Path, made: dict[str, str], kept=None) -> SiteWriter:
    writer = SiteWriter(site)
    for rel, text in made.items():
        writer.write(rel, text)
    writer.deleted = writer.finish(kept)  # type: ignore[attr-defined]
    return writer


def test_a_listing_kept_from_the_last_finish_lists_only_the_folders_changed_since(tmp_path, monkeypatch):
    """Told what the site held (site_listing.py), finishing deletes the files no longer made and
    what was put into a folder since, whole folders too; a folder whose stamp did not change is
    not listed: a file put there with the folder's time set back stays (what a walk would find)."""
    from site_builder.website import site_listing

    monkeypatch.setattr(site_listing, "RACY_NS", 0)  # stamps kept however recent (the test's folders are)
    pages = {"a/1.html": "1", "a/2.html": "2", "b/c/3.html": "3", "d/4.html": "4", "e/f/5.html": "5"}
    site = existing_site(tmp_path / "site", pages)
    first = finished(site, pages)
    assert first.listing is not None and first.listing.files == frozenset(pages)
    assert set(first.listing.folders) == {"", "a", "b", "b/c", "d", "e", "e/f"}

    (site / "a/stray.txt").write_text("lạ", encoding="utf-8")  # a's stamp changes
    (site / "b/x/y").mkdir(parents=True)
    (site / "b/x/y/z.txt").write_text("lạ", encoding="utf-8")  # b's too
    before = (site / "d").stat()
    (site / "d/hidden.txt").write_text("lạ", encoding="utf-8")
    os.utime(site / "d", ns=(before.st_atime_ns, before.st_mtime_ns))  # d's set back: not seen
    second = finished(site, {"a/1.html": "1", "b/c/3.html": "3"}, first.listing)

    assert second.deleted == 5  # type: ignore[attr-defined]  # 2.html, 4.html, 5.html, stray.txt, z.txt
    assert files_and_folders(site) == ["a/", "a/1.html", "b/", "b/c/", "b/c/3.html", "d/", "d/hidden.txt"]
    assert second.listing is not None and set(second.listing.folders) == {"", "a", "b", "b/c"}

    walked = finished(site, {"a/1.html": "1", "b/c/3.html": "3"})  # no listing: every folder listed
    assert walked.deleted == 1  # type: ignore[attr-defined]
    assert files_and_folders(site) == ["a/", "a/1.html", "b/", "b/c/", "b/c/3.html"]


def test_the_listing_of_a_new_site_lists_its_folders_when_just_written(tmp_path):
    """A folder stamped within the clock's racy span of its last change is kept as changed: the
    next finish lists it (a file added within the same tick would not move its time)."""
    site = tmp_path / "site"
    first = finished(site, {"p/q.html": "q", "r.html": "r"})
    assert first.listing is not None and first.listing.folders == {"": None, "p": None}
    (site / "p/stray.html").write_text("lạ", encoding="utf-8")
    second = finished(site, {"p/q.html": "q", "r.html": "r"}, first.listing)
    assert second.deleted == 1  # type: ignore[attr-defined]
    assert files_and_folders(site) == ["p/", "p/q.html", "r.html"]


def test_a_kept_folder_replaced_by_a_link_is_not_followed(tmp_path, monkeypatch):
    """Nothing outside the site is deleted through a link put where a kept folder was: the link
    goes, what it points to stays."""
    from site_builder.website import site_listing

    monkeypatch.setattr(site_listing, "RACY_NS", 0)
    pages = {"a/1.html": "1", "b/2.html": "2"}
    site = existing_site(tmp_path / "site", pages)
    first = finished(site, pages)
    outside = existing_site(tmp_path / "outside", {"1.html": "ngoài", "x.txt": "ngoài"})
    (site / "a/1.html").unlink()
    (site / "a").rmdir()
    (site / "a").symlink_to(outside, target_is_directory=True)
    assert first.listing is not None
    found = site_listing.compare(str(site), first.listing)
    assert "a" not in found.changed and "a" not in found.unchanged  # not to be listed: its parent is
    assert "" in found.changed
    second = finished(site, {"b/2.html": "2"}, first.listing)
    assert second.deleted == 1  # type: ignore[attr-defined]  # the link itself
    assert files_and_folders(site) == ["b/", "b/2.html"]
    assert files_and_folders(outside) == ["1.html", "x.txt"]
