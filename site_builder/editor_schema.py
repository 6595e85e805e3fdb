"""Editor schemas: the submission schema specialised to one catalogue.

`schema/submission.schema.json` accepts any criterion id; an editor cannot say "1.9 does not
exist" or "5 is above the max of 2.5" from it. These generated files (one per period and unit
type, committed so the web editor and yaml-language-server can fetch them) list the catalogue's
criteria with their max and step, and the Vietnamese text as hover help. The validator stays the
authority; these only help while typing. `check` tells when the committed files are stale.
"""

from __future__ import annotations

import copy
import json

from site_builder.catalogues import load_period
from site_builder.messages import EVIDENCE_KIND_LABELS, number
from site_builder.model import Catalogue, Item, Period
from site_builder.paths import DataRoot
from site_builder.templates import editor_schema_path

EDITOR_DIR = "schema/editor"


def editor_schema(base: dict, period: Period, catalogue: Catalogue) -> dict:
    """`base` (the general submission schema) narrowed to `catalogue`'s criteria and `period`."""
    schema = copy.deepcopy(base)
    schema["$id"] = base["$id"].rsplit("/schema/", 1)[0] + "/" + editor_schema_path(period.id, catalogue.unit_type)
    schema["title"] = f"Bài tự đánh giá — {catalogue.title}"
    schema["description"] = (f"{period.title}. Bộ tiêu chí {catalogue.version}; tổng {number(catalogue.total_max)} điểm. "
                             "Tệp sinh tự động từ criteria/ bằng lệnh site-builder editor-schemas.")
    props = schema["properties"]
    props["nam_hoc"] = {**props["nam_hoc"], "const": period.id}
    derived = [i for i in catalogue.items.values() if i.derived]
    criteria = props["tieu_chi"]
    criteria.pop("additionalProperties", None)
    criteria["properties"] = {item.id: _criterion(item, catalogue) for item in catalogue.items.values() if not item.derived}
    criteria["additionalProperties"] = False
    if derived:
        criteria["description"] = (criteria.get("description", "") + " Không ghi các tiêu chí tính tự động: "
                                   + ", ".join(i.id for i in derived) + ".").strip()
    return schema


def _criterion(item: Item, catalogue: Catalogue) -> dict:
    description = item.text
    if item.evidence:
        kinds = " hoặc ".join(EVIDENCE_KIND_LABELS.get(k, k) for k in item.evidence.kinds)
        need = "bắt buộc khi chấm trên 0 điểm" if item.evidence.required else "không bắt buộc"
        description += f"\n\nMinh chứng ({need}): {kinds}" + (f" — {item.evidence.text}" if item.evidence.text else "")
    title = f"Tiêu chí {item.id} (tối đa {number(item.max)} điểm)"
    return {
        "title": title,
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "required": ["diem_tu_cham"],
        "properties": {
            "diem_tu_cham": {
                "title": "Điểm tự chấm",
                "description": f"{title}: từ 0 đến {number(item.max)}, bước {number(catalogue.score_step)}.",
                "type": "number",
                "minimum": 0,
                "maximum": item.max if not float(item.max).is_integer() else int(item.max),
                "multipleOf": catalogue.score_step,
            },
            "minh_chung": {"$ref": "#/$defs/criterion/properties/minh_chung"},
            "ghi_chu": {"$ref": "#/$defs/criterion/properties/ghi_chu"},
        },
    }


def expected_files(root: DataRoot) -> dict[str, str]:
    """Repository path -> exact text of every editor schema the catalogues call for."""
    base = json.loads((root.schema / "submission.schema.json").read_text(encoding="utf-8"))
    files = {}
    for period_id in root.periods():
        period, _problems = load_period(root, period_id)
        if period is None:
            continue
        for unit_type, catalogue in sorted(period.catalogues.items()):
            text = json.dumps(editor_schema(base, period, catalogue), ensure_ascii=False, indent=2) + "\n"
            files[editor_schema_path(period_id, unit_type)] = text
    return files


def stale_files(root: DataRoot) -> list[str]:
    """Paths that are missing, differ, or should not exist; empty when everything is current."""
    expected = expected_files(root)
    stale = [rel for rel, text in expected.items()
             if not (root.path / rel).is_file() or (root.path / rel).read_text(encoding="utf-8") != text]
    stale += [rel for rel in _existing(root) if rel not in expected]
    return sorted(stale)


def write_files(root: DataRoot) -> list[str]:
    """Write every expected file and delete leftovers; returns the paths that changed."""
    changed = stale_files(root)
    expected = expected_files(root)
    for rel in changed:
        target = root.path / rel
        if rel in expected:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(expected[rel], encoding="utf-8")
        else:
            target.unlink()
    return changed


def _existing(root: DataRoot) -> list[str]:
    folder = root.path / EDITOR_DIR
    if not folder.is_dir():
        return []
    return [p.relative_to(root.path).as_posix() for p in folder.rglob("*.schema.json")]


def load_problems(root: DataRoot) -> list:
    """Catalogue problems that stop a schema from being generated (said instead of skipping silently)."""
    found = []
    for period_id in root.periods():
        _period, problems = load_period(root, period_id)
        found += [p for p in problems if p.is_error]
    return found

