"""Load and run the golden validator corpus in `tests/corpus/`.

A case is either one file `tests/corpus/<group>/<KEY_REASON>.yaml` whose bytes are placed, as is,
at the group's target path in a fresh `make_repo` data root; or a folder
`tests/corpus/<group>/<key_reason>/case.yaml` describing several files, binary evidence made by
the test (PDFs, encrypted or truncated PDFs, oversize files) and symlinks:

    description: "…"
    files:
      - path: submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml
        from: submission.yaml          # a file next to case.yaml, copied byte for byte
      - path: submissions/2023-2024/pgd-quan-1/thcs-demo-a/bad.pdf
        generate: encrypted-pdf        # see GENERATORS
      - path: submissions/2023-2024/pgd-quan-1/thcs-demo-a/link.pdf
        symlink: ../../../organization.yaml
      - path: …
        text: "inline content"
    remove: [submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml]
    validate: [submissions/…]          # paths given to validate_paths (default: every `files` path
                                       # that is not evidence)

`tests/corpus/expected.yaml` maps each case key (`<group>/<name>`) to the exact problems the
real validator must report: file, line, column, code, severity and the full Vietnamese text.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import yaml
from pypdf import PdfWriter

from tests.datarepo import make_repo, pdf_bytes

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = CORPUS / "expected.yaml"

SUBMISSION = "submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml"
TARGETS = {  # where a one-file case of each group is placed
    "yaml": SUBMISSION,
    "submission": SUBMISSION,
    "evidence": SUBMISSION,
    "valid": SUBMISSION,
    "warning": SUBMISSION,
    "review": "submissions/2023-2024/pgd-quan-1/thcs-demo-a.review.yaml",
    "registry": "submissions/units/2023-2024/pgd-quan-1.yaml",
    "catalogue": "criteria/2023-2024/truong-pho-thong.yaml",
    "period": "criteria/2023-2024/year.yaml",
}


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def truncated_pdf() -> bytes:
    data = pdf_bytes("bi cat")
    return data[: len(data) // 2]


def oversize_pdf() -> bytes:
    """A real, openable PDF just over 10 MB (an uncompressed stream pads it)."""
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    stream = DecodedStreamObject()
    stream.set_data(b"% " + b"0" * (10 * 1024 * 1024 + 4096) + b"\n")
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def big_yaml(size: int = 50 * 1024 * 1024) -> bytes:
    head = b'don_vi: thcs-demo-a\nnam_hoc: "2023-2024"\ntieu_chi:\n  "1.1":\n    diem_tu_cham: 5\n    ghi_chu: "'
    return head + b"a" * (size - len(head) - 2) + b'"\n'


GENERATORS = {
    "pdf": lambda: pdf_bytes("minh chung"),
    "encrypted-pdf": encrypted_pdf,
    "truncated-pdf": truncated_pdf,
    "oversize-pdf": oversize_pdf,
    "text-as-pdf": lambda: "Đây là một tệp văn bản, không phải PDF.\n".encode(),
    "big-yaml": big_yaml,
}


def case_keys() -> list[str]:
    keys = []
    for group in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for entry in sorted(group.iterdir()):
            if entry.is_dir() and (entry / "case.yaml").is_file():
                keys.append(f"{group.name}/{entry.name}")
            elif entry.is_file() and entry.suffix == ".yaml":
                keys.append(f"{group.name}/{entry.stem}")
    return keys


def expected_table() -> dict:
    return yaml.safe_load(EXPECTED.read_text(encoding="utf-8")) or {}


def build_case(key: str, tmp: Path) -> tuple[Path, list[str]]:
    """A data root with the case in place, and the repository paths to validate."""
    root = make_repo(tmp / "repo")
    return root, apply_case(key, root)


def apply_case(key: str, root: Path) -> list[str]:
    """Put the case into the data root `root` (made by make_repo); the repository paths to validate."""
    group, name = key.split("/", 1)
    single = CORPUS / group / f"{name}.yaml"
    if single.is_file():
        target = TARGETS[group]
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(single, root / target)
        return [target]
    folder = CORPUS / group / name
    spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    for rel in spec.get("remove", []):
        victim = root / rel
        shutil.rmtree(victim) if victim.is_dir() else victim.unlink()
    written = []
    for entry in spec.get("files", []):
        dest = root / entry["path"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() or dest.is_symlink():
            dest.unlink()
        if "from" in entry:
            shutil.copyfile(folder / entry["from"], dest)
        elif "text" in entry:
            dest.write_bytes(entry["text"].encode("utf-8"))
        elif "generate" in entry:
            dest.write_bytes(GENERATORS[entry["generate"]]())
        elif "symlink" in entry:
            os.symlink(entry["symlink"], dest)
        written.append(entry["path"])
    return spec.get("validate") or [p for p in written if p.endswith(".yaml")]


def actual_problems(result) -> list[dict]:
    rows = []
    for p in sorted(set(result.problems), key=lambda p: (p.path, p.line, p.column, p.code, p.message)):
        row = {"file": p.path, "line": p.line, "column": p.column, "code": p.code}
        if not p.is_error:
            row["severity"] = p.severity
        row["text"] = p.text().split(" — ", 1)[1]
        rows.append(row)
    return rows


def run_case(key: str, tmp: Path):
    """Build the case and run the real validator on it (`validate: ["*"]` = the whole root)."""
    from site_builder.paths import DataRoot
    from site_builder.validate import validate_all, validate_paths

    root, paths = build_case(key, tmp)
    if paths == ["*"]:
        return validate_all(DataRoot(root))
    return validate_paths(DataRoot(root), paths)
