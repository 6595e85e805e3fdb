"""Editor schemas: the submission schema specialised to one catalogue.

`schema/submission.schema.json` accepts any criterion id; an editor cannot say "1.9 does not
exist" or "5 is above the max of 2.5" from it. These generated files (one per period and unit
type, committed so the web editor and yaml-language-server can fetch them, and published on the
site at `<site>/schema/editor/<period>/<type>.schema.json`) say what a schema can say of the
validator's rules, so an editor agrees with CI while the clerk types:

- the catalogue's criteria, with max and step (`maximum`, `multipleOf`) and their text on hover;
- evidence references: a PDF name inside the unit's folder (no `..`, no absolute path, no
  backslash, no `javascript:`/`data:`/`file:`) or an http(s) link without credentials;
- points need evidence: per criterion that requires it, `if` a score in (0, max] on the step
  `then` `minh_chung` holds at least one reference of an allowed kind;
- unquoted ids: YAML editors read `1.1:` as the number 1.1 and match it as a property name only
  through `patternProperties` (the validator reads the key as text "1.1"), so every criterion is
  reachable both ways.

What no schema can say (the file exists, it is a real PDF, the unit is registered, the file name
equals `don_vi`) stays with the validator, the authority; `tests/test_editor_agreement.py` lists
each such difference. `check` tells when the committed files are stale.
"""

from __future__ import annotations

import copy
import json

from site_builder.catalogues import load_period
from site_builder.messages import EVIDENCE_KIND_LABELS
from site_builder.model import Catalogue, Item, Period
from site_builder.numbers import as_typed
from site_builder.paths import DataRoot, editor_schema_path

EDITOR_DIR = "schema/editor"

# One label of a host name, as evidence.check_url accepts it (letters, digits, any non-ASCII, inner hyphens).
_LABEL = "[A-Za-z0-9\\u00a0-\\uffff](?:[A-Za-z0-9\\u00a0-\\uffff-]*[A-Za-z0-9\\u00a0-\\uffff])?"
# An http(s) link: no whitespace, a host with a dot, no user or password before the host (no "@"),
# no bracket after it (a host part with a bracket is not an address: urlsplit refuses it).
LINK_PATTERN = (
    "^\\s*(?=\\S+\\s*$)[Hh][Tt][Tt][Pp][Ss]?://"
    + _LABEL
    + "(?:\\."
    + _LABEL
    + ")+(?::[^\\s/?#@\\[\\]]*)?(?:[/?#]\\S*)?\\s*$"
)
# A PDF inside the unit's folder: not a URL of another scheme (javascript:, data:, file:, C:), not
# absolute, no backslash, no ".." component, ends in .pdf (any case).
PDF_PATTERN = "^\\s*(?=\\S)(?![A-Za-z][A-Za-z0-9+.-]*:)(?![/\\\\])(?!.*\\\\)(?!(?:.*/)?\\.\\./).*\\.[Pp][Dd][Ff]\\s*$"


# `errorMessage` is yaml-language-server's keyword for the sentence it shows instead of its own
# English one; JSON Schema validators ignore it (an unknown keyword is an annotation).
EVIDENCE_MESSAGE = (
    "Minh chứng là tên tệp PDF trong thư mục của đơn vị (ví dụ ke-hoach.pdf: không có «..», không "
    "bắt đầu bằng «/», không dùng «\\») hoặc đường link bắt đầu bằng https:// không chứa tên đăng "
    "nhập, mật khẩu."
)


def editor_schema(base: dict, period: Period, catalogue: Catalogue, site_url: str = "") -> dict:
    """`base` (the general submission schema) narrowed to `catalogue`'s criteria and `period`.
    `$id` is the file's address on the site when there is one (no `$id` otherwise)."""
    schema = copy.deepcopy(base)
    rel = editor_schema_path(period.id, catalogue.unit_type)
    schema.pop("$id", None)
    if site_url:
        schema = {"$schema": schema.pop("$schema"), "$id": f"{site_url}/{rel}", **schema}
    schema["title"] = f"Bài tự đánh giá — {catalogue.title}"
    schema["description"] = (
        f"{period.title}. Bộ tiêu chí {catalogue.version}; tổng {as_typed(catalogue.total_max)} điểm. "
        "Tệp sinh tự động từ criteria/ bằng lệnh site-builder editor-schemas."
    )
    props = schema["properties"]
    props["nam_hoc"] = {**props["nam_hoc"], "const": period.id}
    defs = schema["$defs"]
    defs["evidence"] = {
        **defs["evidence"],
        "anyOf": [{"$ref": "#/$defs/evidence_pdf"}, {"$ref": "#/$defs/evidence_link"}],
    }
    defs["evidence_pdf"] = {
        "title": "Tệp PDF trong thư mục của đơn vị",
        "type": "string",
        "pattern": PDF_PATTERN,
        "errorMessage": EVIDENCE_MESSAGE,
    }
    defs["evidence_link"] = {
        "title": "Đường link http(s), không có tên đăng nhập hay mật khẩu",
        "type": "string",
        "pattern": LINK_PATTERN,
        "errorMessage": EVIDENCE_MESSAGE,
    }
    derived = [i for i in catalogue.items.values() if i.derived]
    written = [i for i in catalogue.items.values() if not i.derived]
    criteria = props["tieu_chi"]
    criteria.pop("additionalProperties", None)
    criteria["properties"] = {item.id: _criterion(item, catalogue) for item in written}
    criteria["patternProperties"] = {
        "^" + item.id.replace(".", "\\.") + "$": {"$ref": f"#/properties/tieu_chi/properties/{item.id}"}
        for item in written
    }
    criteria["additionalProperties"] = False
    if derived:
        criteria["description"] = (
            criteria.get("description", "")
            + " Không ghi các tiêu chí tính tự động: "
            + ", ".join(i.id for i in derived)
            + "."
        ).strip()
    return schema


def _criterion(item: Item, catalogue: Catalogue) -> dict:
    description = item.text
    if item.evidence:
        kinds = " hoặc ".join(EVIDENCE_KIND_LABELS.get(k, k) for k in item.evidence.kinds)
        need = "bắt buộc khi chấm trên 0 điểm" if item.evidence.required else "không bắt buộc"
        description += f"\n\nMinh chứng ({need}): {kinds}" + (f" — {item.evidence.text}" if item.evidence.text else "")
    title = f"Tiêu chí {item.id} (tối đa {as_typed(item.max)} điểm)"
    maximum = item.max if not float(item.max).is_integer() else int(item.max)
    score = {
        "title": "Điểm tự chấm",
        "description": f"{title}: từ 0 đến {as_typed(item.max)}, bước {as_typed(catalogue.score_step)}.",
        "type": "number",
        "minimum": 0,
        "maximum": maximum,
        "multipleOf": catalogue.score_step,
    }
    schema = {
        "title": title,
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "required": ["diem_tu_cham"],
        "properties": {
            "diem_tu_cham": score,
            "minh_chung": {"$ref": "#/$defs/criterion/properties/minh_chung"},
            "ghi_chu": {"$ref": "#/$defs/criterion/properties/ghi_chu"},
        },
    }
    if item.evidence and item.evidence.required:
        schema["if"] = {
            "required": ["diem_tu_cham"],
            "properties": {
                "diem_tu_cham": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": maximum,
                    "multipleOf": catalogue.score_step,
                }
            },
        }
        kinds = " hoặc ".join(EVIDENCE_KIND_LABELS.get(k, k) for k in item.evidence.kinds)
        need = f"Tiêu chí {item.id} có điểm nên cần ít nhất một minh chứng: {kinds}; hoặc chấm 0 điểm."
        schema["then"] = {
            "required": ["minh_chung"],
            "errorMessage": need,
            "properties": {"minh_chung": {"contains": _allowed(item), "minContains": 1, "errorMessage": need}},
        }
    return schema


def _allowed(item: Item) -> dict:
    """One evidence reference of a kind the criterion accepts: a PDF, or a link (any link kind)."""
    assert item.evidence is not None  # called only for criteria that ask for evidence
    kinds = []
    if "pdf" in item.evidence.kinds:
        kinds.append({"$ref": "#/$defs/evidence_pdf"})
    if any(k != "pdf" for k in item.evidence.kinds):
        kinds.append({"$ref": "#/$defs/evidence_link"})
    return kinds[0] if len(kinds) == 1 else {"anyOf": kinds}


def expected_files(root: DataRoot) -> dict[str, str]:
    """Repository path -> exact text of every editor schema the catalogues call for."""
    from site_builder.registry import load_organization

    base = json.loads((root.schema / "submission.schema.json").read_text(encoding="utf-8"))
    organization, _problems = load_organization(root)
    site_url = organization.site_url if organization else ""
    files = {}
    for period_id in root.periods():
        period, _problems = load_period(root, period_id)
        if period is None:
            continue
        for unit_type, catalogue in sorted(period.catalogues.items()):
            text = json.dumps(editor_schema(base, period, catalogue, site_url), ensure_ascii=False, indent=2) + "\n"
            files[editor_schema_path(period_id, unit_type)] = text
    return files


def stale_files(root: DataRoot) -> list[str]:
    """Paths that are missing, differ, or should not exist; empty when everything is current."""
    expected = expected_files(root)
    stale = [
        rel
        for rel, text in expected.items()
        if not (root.path / rel).is_file() or (root.path / rel).read_text(encoding="utf-8") != text
    ]
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
