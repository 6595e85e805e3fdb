"""Which git blob each file of a clean checkout holds, so its SHA-256 is found by content again.

build_cache.py remembers a file's SHA-256 by its stamps (device, inode, size, time). A publishing
run starts from a fresh clone, where every file has new stamps: the 28,000 evidence PDFs of a
national repository (4 GB) were read and hashed again on every publish. Git already names each
tracked file's content, its blob id, and lists them all at once (`git ls-files --stage`);
`git diff-files` names the tracked files whose content is not the index's (edited, not committed),
which are hashed as before, like untracked files. A blob id names one content (git refuses objects
made to collide), so the SHA-256 found once for it serves every later checkout; build_cache.py
keeps them (blob-digests.pickle, beside the PDF verdicts) and checks the size too, against a file
changed since the listing.
"""

from __future__ import annotations

import os
from pathlib import Path

from site_builder import gitread

REGULAR = (b"100644", b"100755")  # not symbolic links (120000) nor submodules (160000)


def clean_blobs(root: Path, folder: str, min_parts: int = 1) -> dict[str, str]:
    """f"{root}/{path}" -> blob id of every regular tracked file under `folder` (relative to
    `root`) whose content is the index's and whose path has `min_parts` parts or more; {} when
    `root` is not in a git checkout or git fails."""
    try:
        listed = gitread.run(root, "ls-files", "--stage", "-z", "--", folder)
        edited = set(gitread.run(root, "diff-files", "--name-only", "--relative", "-z", "--", folder).split(b"\0"))
    except gitread.GitError:
        return {}
    base = str(root)
    found = {}
    for entry in listed.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        fields = meta.split(b" ")
        if len(fields) != 3 or fields[0] not in REGULAR or fields[2] != b"0" or path in edited:
            continue  # another kind of entry, a conflict's side, or edited since
        if path.count(b"/") + 1 < min_parts:
            continue
        found[f"{base}/{os.fsdecode(path)}"] = fields[1].decode("ascii")
    return found
