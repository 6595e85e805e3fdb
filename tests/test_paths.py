"""Where a repository path sits (paths.classify): its parts are those of a POSIX path, whatever
slashes and dots it carries."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import example, given, settings
from hypothesis import strategies as st

from site_builder.paths import _parts, classify

PIECES = st.sampled_from(["submissions", "2023-2024", "pgd-quan-1", "a.yaml", ".git", ".", "..", "", "x y", "ầ"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=7), st.booleans())
@example(["", "", "a"], False)  # "//a": POSIX's own root
@example(["submissions", ".", "x"], False)
def test_a_paths_parts_are_those_of_a_posix_path(pieces, leading_slash):
    path = ("/" if leading_slash else "") + "/".join(pieces)
    assert _parts(path) == PurePosixPath(path).parts


def test_where_unit_files_sit():
    assert classify("submissions/2023-2024/pgd-quan-1/thcs-a.yaml").kind == "submission"
    assert classify("submissions/2023-2024/pgd-quan-1//thcs-a.yaml").kind == "submission"
    assert classify("submissions/2023-2024/pgd-quan-1/thcs-a/.gitattributes").kind == "control"
    assert classify("submissions/2023-2024/pgd-quan-1/thcs-a/ke-hoach.pdf").kind == "evidence"
