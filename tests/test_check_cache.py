"""The keys of kept verdicts on unit files (check_cache.py): what they digest and what they must not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from site_builder import check_cache

# Reading the date or the time of day: a check that did would give another verdict another day,
# and the key digests no day (a kept verdict serves every later build with the same contents).
CLOCK_READS = ("today(", ".now(", "time.time(", "utcnow(", "localtime(", "gmtime(", "time_ns(")


def test_no_check_of_a_unit_file_or_a_registry_reads_the_date():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, site_builder.submissions, site_builder.reports, site_builder.registry\n"
            "print('\\n'.join(m.__file__ for n, m in sorted(sys.modules.items()) if n.startswith('site_builder')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert any(p.endswith("submissions.py") for p in loaded) and len(loaded) > 8
    for path in loaded:
        source = Path(path).read_text(encoding="utf-8")
        found = [call for call in CLOCK_READS if call in source]
        assert not found, f"{path} reads the clock ({found}): digest the day in check_cache.shared_digest"


def write_folder(folder: Path) -> None:
    (folder / "bao-cao" / "ke-hoach").mkdir(parents=True)
    (folder / "minh-chung.pdf").write_bytes(b"%PDF-1.4 one")
    (folder / "bao-cao" / "ke-hoach" / "ke-hoach.pdf").write_bytes(b"%PDF-1.4 two")


def test_a_folder_is_keyed_by_names_and_contents_not_by_stamps(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_folder(first)
    shutil.copytree(first, second)  # new inodes
    for file in second.rglob("*.pdf"):
        os.utime(file, ns=(1, 1))  # other times
        file.chmod(0o600)  # other permissions
    assert check_cache._folder_contents(str(first)) == check_cache._folder_contents(str(second))

    pdf = second / "minh-chung.pdf"
    stamps = pdf.stat()
    pdf.write_bytes(b"%PDF-1.4 ONE")  # same size, then the same time again: only the bytes differ
    os.utime(pdf, ns=(stamps.st_atime_ns, stamps.st_mtime_ns))
    assert check_cache._folder_contents(str(first)) != check_cache._folder_contents(str(second))


def test_a_folder_key_names_where_its_links_point(tmp_path):
    folder = tmp_path / "a"
    write_folder(folder)
    before = check_cache._folder_contents(str(folder))
    (folder / "khac").symlink_to(tmp_path)  # a link to a folder: listed, never followed
    linked = check_cache._folder_contents(str(folder))
    assert linked != before
    (folder / "khac").unlink()
    (folder / "khac").symlink_to(folder / "bao-cao")
    assert check_cache._folder_contents(str(folder)) not in (before, linked)
