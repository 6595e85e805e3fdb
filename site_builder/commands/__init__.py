"""One module per CLI command, each with `register(subparsers)`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from site_builder.model import Dataset
    from site_builder.paths import DataRoot


def valid_dataset(root: DataRoot, refusal: str) -> Dataset | None:
    """The validated data, or None after printing its errors and `refusal` (what the command will
    not do while the data has errors) to stderr."""
    from site_builder import heap, report

    with heap.importing():
        from site_builder.validate import validate_all

    result = validate_all(root)
    if result.ok and result.dataset is not None:
        return result.dataset
    report.render_human(result.errors, result.files_checked, stream=sys.stderr)
    sys.stderr.write(refusal + "\n")
    return None
