"""Verdicts on evidence files kept across runs, by content (SHA-256), so nothing is parsed twice.

Every validation of the whole repository used to open every PDF again; a verdict depends only
on the bytes and on the rules, so it is stored under

    <folder>/pdf-<rules>/<sha256[:2]>/<sha256>.json      {"code": "...", "detail": "..."}

where <rules> names the rule set (pdf_safety.RULES_VERSION, the limits and the pypdf version):
a change of any of them starts a new, empty folder. One small file per verdict, written to a
temporary name and renamed, so parallel workers never see half a file; a file that cannot be
read or does not have that shape is ignored (and rewritten). The cache is only an optimisation:
when the folder cannot be written, checks go on without it.

Anyone who can write to the folder can make a file pass, so the folder must never be one the
checked data controls: the command line puts it in the user's cache (`default_folder`), outside
the data folder, and the pull-request report uses none unless it is given one. (It was once the
data root's .cache/: ignored by git, but a pull request can commit ignored files all the same,
and its checkout is the data root the pull-request check validates.)

The folder also keeps, as pickles: the verdicts of each rule set gathered into one table by
the last site build (`keep`), and each evidence file's SHA-256 by its git blob id (build_cache.py,
blob-digests.pickle), a fact of the content like a verdict, which every build of any checkout
can reuse.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from pathlib import Path

from site_builder.cache_files import read_table, user_cache, write_atomically

_HEX = re.compile(r"[0-9a-f]{64}\Z")
TABLE = "verdicts.pickle"  # <folder>/pdf-<rules>/verdicts.pickle: sha256 -> (code, detail)
WITHOUT = "without-verdict.pickle"  # beside it: sha256 -> None, the digests `keep` found no verdict for
MAX_TABLE = 1_000_000
_folder: Path | None = None
_tables: dict[str, dict[str, tuple[str, str]]] = {}  # rules -> its table, as read


def configure(folder: Path | None) -> None:
    """Use `folder` from now on (None: no cache across runs). Forked workers inherit it."""
    global _folder
    _folder = Path(folder) if folder is not None else None
    _tables.clear()


def folder() -> Path | None:
    return _folder


def default_folder() -> Path:
    return user_cache("pdf")


def _mark_ignored(root: Path) -> None:
    """The folder ignores itself (a `.gitignore` of `*`), so `git add -A` in a data repository
    without its own ignore rule never commits verdicts."""
    marker = root / ".gitignore"
    if not marker.exists():
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text("# Kết quả kiểm tra PDF lưu tạm, không đưa vào kho.\n*\n", encoding="utf-8")


def rules_key(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _path(rules: str, digest: str) -> Path | None:
    if _folder is None or not _HEX.match(digest):
        return None
    return _folder / f"pdf-{rules}" / digest[:2] / f"{digest}.json"


def get(rules: str, digest: str) -> dict | None:
    if _folder is None:
        return None
    kept = _table(rules).get(digest)
    if kept is not None:
        return {"code": kept[0], "detail": kept[1]}
    path = _path(rules, digest)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str) or not isinstance(data.get("detail"), str):
        return None
    return data


def _table(rules: str) -> dict[str, tuple[str, str]]:
    """The rule set's table as the last site build left it ({} when there is none). Verdicts
    found since are in their own files until a build gathers them (`keep`)."""
    table = _tables.get(rules)
    if table is None:
        table = _tables[rules] = read_table(_folder / f"pdf-{rules}" / TABLE if _folder is not None else None)
    return table


def keep(rules: str, digests) -> None:
    """Gather the verdicts on `digests` (the files a site build saw) into the rule set's table,
    one pickle: a build that finds no build cache then reads one file, not one per PDF (28,000
    at 15,000 units, ~1.7 CPU-s twice: in the checks and in the build). Verdicts are written one
    file each because forked workers find them; this gathers them afterwards, in one process.
    A digest found without a verdict (a YAML file's, a PDF never checked) is noted and not looked
    for again: the table only spares reading a verdict's own file, which `get` still reads."""
    if _folder is None:
        return
    table = _table(rules)
    without_file = _folder / f"pdf-{rules}" / WITHOUT
    without = read_table(without_file)  # not looked for again: a rebuild at 15,000 units asked 2,700 files
    added = missing = False
    digests = set(digests)
    for digest in digests - table.keys() - without.keys():
        found = get(rules, digest)
        if found is not None:
            table[digest] = (found["code"], found["detail"])
            added = True
        else:
            without[digest] = None
            missing = True
    if added and len(table) <= MAX_TABLE:
        write_atomically(_folder / f"pdf-{rules}" / TABLE, pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
    if missing:  # only those the build knows: the digests of files long changed go
        kept = dict.fromkeys(without.keys() & digests)
        write_atomically(without_file, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))


def put(rules: str, digest: str, verdict: dict) -> None:
    path = _path(rules, digest)
    if path is not None:
        _store(path, verdict)


def _store(path: Path, data) -> None:
    """Write `data` as JSON to `path` inside the cache folder (cache_files.write_atomically: a
    temporary name, then renamed); a folder that cannot be written is no error: the cache is only
    an optimisation."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if _folder is not None and not path.parent.is_dir():
            _mark_ignored(_folder)
    except (OSError, ValueError):
        return
    write_atomically(path, text.encode("utf-8"))
