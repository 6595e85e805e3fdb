"""The site writer on a real folder: what a build no longer makes is deleted, with every folder
left empty by it (and only those), and a file whose bytes are the same is not rewritten."""

from __future__ import annotations

from pathlib import Path

from site_builder.website.site_writer import SiteWriter


def files_and_folders(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() + ("/" if p.is_dir() else "") for p in site.rglob("*"))


def test_finish_deletes_what_was_not_made_and_the_folders_it_empties(tmp_path):
    site = tmp_path / "site"
    for rel in ("a/keep.html", "a/b/c/old.html", "x/y/stale.txt", "x/kept.txt", "p/q/r/s/deep.txt"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(rel, encoding="utf-8")
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
    site = tmp_path / "site"
    (site / "m/n").mkdir(parents=True)
    (site / "m/n/old.txt").write_text("cũ", encoding="utf-8")
    writer = SiteWriter(site)
    writer.write("m/n/index.html", "mới")
    writer.finish()
    assert files_and_folders(site) == ["m/", "m/n/", "m/n/index.html"]
