"""Site search with Pagefind: a chunked index the browser loads piece by piece.

Measured on this project's pages: Pagefind matches "tan dinh" and "TAN ĐINH" to "Tân Định" (it
folds diacritics), and its index is split into small fragments, so a phone never downloads an
index of the whole country (the theme's built-in search would ship one 40 MB file at 15,000 units).

Pagefind reads whole HTML files into memory: on 15,000 full unit pages it took 15 s and 580 MB.
So it indexes a mirror instead: one tiny HTML file per unit and district page of the newest
period, at the same path as the real page (so result URLs are the real pages), holding only what
a search should match (name, type, district, managing body). It runs while the pages are written.
"""

from __future__ import annotations

import html
import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FOLDER = "pagefind"


class SearchIndexError(RuntimeError):
    pass


@dataclass(frozen=True)
class Entry:
    url: str      # site-relative folder URL of the real page, e.g. 2023-2024/don-vi/x/
    title: str
    info: str
    words: str = ""  # more text to match (codes, managing body), not shown


def pagefind_binary() -> Path:
    spec = importlib.util.find_spec("pagefind_bin")
    if spec is None or not spec.submodule_search_locations:
        raise SearchIndexError("thiếu gói pagefind-bin (công cụ tạo chỉ mục tìm kiếm).")
    folder = Path(list(spec.submodule_search_locations)[0])
    for name in ("pagefind", "pagefind_extended", "pagefind.exe"):
        if (folder / name).is_file():
            return folder / name
    raise SearchIndexError("không tìm thấy chương trình pagefind trong gói pagefind-bin.")


def write_mirror(entries: list[Entry], mirror: Path) -> None:
    if mirror.exists():
        shutil.rmtree(mirror)
    for e in entries:
        folder = mirror / e.url
        folder.mkdir(parents=True, exist_ok=True)
        title, info = html.escape(e.title), html.escape(e.info)
        (folder / "index.html").write_text(
            f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<main data-pagefind-body><h1 data-pagefind-meta="title">{title}</h1>'
            f'<p data-pagefind-meta="info">{info}</p><p>{html.escape(e.words)}</p></main></body></html>',
            encoding="utf-8")


def start_indexing(mirror: Path, site: Path) -> subprocess.Popen | None:
    """Pagefind on the mirror; None when there is nothing to index (a new repository without
    units: Pagefind refuses an empty folder, and the search page then says there is no unit yet)."""
    if not mirror.is_dir() or next(mirror.rglob("index.html"), None) is None:
        return None
    binary = pagefind_binary()
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o111)
    return subprocess.Popen([str(binary), "--site", str(mirror), "--output-path", str(site / FOLDER), "--silent"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_indexing(process: subprocess.Popen | None, site: Path, mirror: Path) -> int:
    """Wait for Pagefind; returns the size in bytes of the largest file of the index."""
    if process is None:
        shutil.rmtree(mirror, ignore_errors=True)
        return 0
    _out, err = process.communicate(timeout=900)
    shutil.rmtree(mirror, ignore_errors=True)
    if process.returncode != 0:
        raise SearchIndexError(f"pagefind dừng với mã {process.returncode}: {err.strip()[:500]}")
    files = [p for p in (site / FOLDER).rglob("*") if p.is_file()]
    return max((p.stat().st_size for p in files), default=0)
