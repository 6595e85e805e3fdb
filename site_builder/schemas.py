"""JSON Schema validation of YAML documents, with every error said in Vietnamese at its line.

The schemas in `schema/` are the single source of truth for the shape of each file kind; editors
use the same files for hover help. This module only runs them and translates the errors.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path

from site_builder import messages
from site_builder.numbers import as_typed
from site_builder.work_limits import MAX_CRITERIA, MAX_REFERENCES, MAX_SUGGESTIONS
from site_builder.yamlfile import YamlDocument

SCHEMA_FILES = {
    "submission": "submission.schema.json",
    "review": "review.schema.json",
    "units": "units.schema.json",
    "organization": "organization.schema.json",
    "catalogue": "catalogue.schema.json",
    "year": "year.schema.json",
}

# What a pattern means, for the message (the regex itself helps nobody).
PATTERN_HINTS = {
    "don_vi": "mã đơn vị (chữ thường không dấu, số và dấu gạch ngang, ví dụ thcs-demo-a)",
    "nam_hoc": "năm học (ví dụ \"2023-2024\")",
    "nguoi_cham": "tài khoản GitHub",
    "id": "mã (chữ thường không dấu, số và dấu gạch ngang)",
    "parent": "mã đơn vị quản lý",
    "website": "địa chỉ web bắt đầu bằng https://",
    "tieu_chi": "mã tiêu chí (ví dụ \"3.2\")",
    "body": "mã đơn vị quản lý",
    "replaces": "mã đơn vị",
}


FAST_KINDS = ("submission", "review", "units", "year", "catalogue", "organization")

_ANNOTATIONS = {"title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly"}


def _inline_local_refs(node, defs: dict, depth: int = 0):
    """Replace `{"$ref": "#/$defs/x"}` by the definition itself (same meaning, much faster to
    validate: jsonschema resolves every $ref through its registry on every instance)."""
    if isinstance(node, list):
        return [_inline_local_refs(item, defs, depth) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs and depth < 16:
        target = _inline_local_refs(defs[ref[8:]], defs, depth + 1)
        siblings = {k: _inline_local_refs(v, defs, depth) for k, v in node.items() if k != "$ref"}
        if set(siblings) <= _ANNOTATIONS and isinstance(target, dict):
            return {**target, **siblings}
        return {"allOf": [target], **siblings}
    return {key: _inline_local_refs(value, defs, depth) for key, value in node.items()}


@lru_cache(maxsize=8)
def _validators(schema_dir: str) -> dict:
    """Full validators, which explain every error. Imported only when a file is not valid (the fast
    check said no) or has no fast check: a valid pull request never pays for them."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource

    folder = Path(schema_dir)
    resources = []
    loaded = {}
    for kind, name in SCHEMA_FILES.items():
        file = folder / name
        if file.exists():
            schema = json.loads(file.read_text(encoding="utf-8"))
            loaded[kind] = schema
            resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    checker = FormatChecker(formats=("date",))  # the only format the data schemas use
    return {kind: Draft202012Validator(_inline_local_refs(schema, schema.get("$defs", {})), registry=registry,
                                       format_checker=checker)
            for kind, schema in loaded.items()}


@lru_cache(maxsize=8)
def _fast_checks(schema_dir: str) -> dict:
    """Compiled validators that only answer "valid or not", for the kinds without cross-file
    `$ref`: unit files (one per unit and year: the hot path of a full run) and registry files (a
    pull request's check reads them before anything else). Same schema files, so there is still
    one source of truth; a "no" is always explained by the full validator below."""
    import jsonschema_rs  # compiled; imported lazily like every heavy dependency

    checks = {}
    for kind in FAST_KINDS:
        file = Path(schema_dir) / SCHEMA_FILES[kind]
        if file.exists():
            schema = _inline_file_refs(json.loads(file.read_text(encoding="utf-8")), Path(schema_dir))
            checks[kind] = jsonschema_rs.validator_for(schema, validate_formats=True)
    return checks


def _inline_file_refs(node, folder: Path):
    """`{"$ref": "units.schema.json#/$defs/x"}` replaced by that definition (a sibling file's local
    definition, as organization.schema.json uses): the compiled check needs no resolver."""
    if isinstance(node, list):
        return [_inline_file_refs(item, folder) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ".schema.json#/$defs/" in ref and "/" not in ref.split("#", 1)[0]:
        name, pointer = ref.split("#/$defs/", 1)
        target = json.loads((folder / name).read_text(encoding="utf-8"))["$defs"][pointer]
        return {**{k: v for k, v in node.items() if k != "$ref"}, "allOf": [target]}
    return {key: _inline_file_refs(value, folder) for key, value in node.items()}


def validate(doc: YamlDocument, kind: str, schema_dir: Path) -> list:
    """Problems for `doc.data` against the schema of `kind` (empty when valid)."""
    if doc.data is None or kind not in SCHEMA_FILES:
        return []
    fast = _fast_checks(str(schema_dir)).get(kind)
    if fast is not None:
        try:
            if fast.is_valid(doc.data):
                return []
        except (ValueError, OverflowError, TypeError):
            pass  # a value it cannot represent (a huge integer): the full validator decides
    validator = _validators(str(schema_dir)).get(kind)
    if validator is None:
        return []
    problems = []
    suggestions = [MAX_SUGGESTIONS]  # "did you mean" searches left for this document
    data = _bounded(doc.data) if kind in ("submission", "review") else doc.data
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        problems.extend(_translate(error, doc, suggestions))
    return problems


def _bounded(value, depth: int = 0):
    """A unit file cut to one past the schema's largest counts: the "too many" error is still
    found, on the same line, without checking 85,000 list items one by one."""
    if depth > 8:
        return value
    if isinstance(value, list):
        return [_bounded(v, depth + 1) for v in value[: MAX_REFERENCES + 1]]
    if isinstance(value, dict):
        items = list(value.items())[: MAX_CRITERIA + 1] if len(value) > MAX_CRITERIA + 1 else value.items()
        return {k: _bounded(v, depth + 1) for k, v in items}
    return value


def _leaf_errors(error):
    """anyOf/oneOf errors hide the useful cause in their context: report the closest one."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        best = max(error.context, key=lambda e: len(e.absolute_path))
        return _leaf_errors(best)
    return [error]


def _translate(error, doc: YamlDocument, suggestions: list[int]):
    out = []
    for err in _leaf_errors(error):
        path = tuple(err.absolute_path)
        subject = messages.subject_for(path)
        kind = err.validator
        value = err.instance
        if kind == "required":
            present = value if isinstance(value, dict) else {}
            for key in err.validator_value:
                if key not in present:
                    out.append(doc.problem(path, subject, *messages.missing_key(key), code="missing-key"))
            continue
        if kind == "additionalProperties" and isinstance(value, dict):
            allowed = sorted(err.schema.get("properties", {}))
            for key in value:
                if key in allowed:
                    continue
                suggestion = None
                if suggestions[0] > 0:
                    suggestions[0] -= 1
                    suggestion = _nearest(key, allowed)
                out.append(doc.problem(path + (key,), messages.subject_for(path + (key,)),
                                       *messages.unknown_key(key, suggestion, allowed),
                                       code="unknown-key", key=True))
            continue
        if kind == "propertyNames":
            hint = PATTERN_HINTS.get(path[-1] if path else "", "tên trường")
            out.append(doc.problem(path + (value,), messages.subject_for(path), 
                                   f"«{value}» không phải {hint} hợp lệ.",
                                   "Hãy kiểm tra lại mã theo danh mục tiêu chí hoặc mẫu.",
                                   code="bad-key", key=True))
            continue
        if kind == "type":
            out.append(doc.problem(path, subject, *messages.wrong_type(err.validator_value, value), code="wrong-type"))
        elif kind == "pattern":
            hint = PATTERN_HINTS.get(str(path[-1]) if path else "", "yêu cầu")
            if len(path) >= 2 and isinstance(path[-1], int):
                hint = PATTERN_HINTS.get(str(path[-2]), hint)
            out.append(doc.problem(path, subject, *messages.bad_pattern(value, hint), code="bad-format"))
        elif kind == "enum":
            out.append(doc.problem(path, subject, *messages.bad_enum(value, [a for a in err.validator_value if a is not None]),
                                   code="bad-value"))
        elif kind == "const":
            out.append(doc.problem(path, subject, *messages.bad_enum(value, [err.validator_value]), code="bad-value"))
        elif kind == "format" and err.validator_value == "date":
            out.append(doc.problem(path, subject, *messages.bad_date(value), code="bad-date"))
        elif kind == "maxLength":
            out.append(messages.TOO_LONG.on(doc, path, place=subject, limit=err.validator_value))
        elif kind == "minLength":
            out.append(messages.EMPTY_TEXT.on(doc, path, place=subject))
        elif kind in ("maxItems", "maxProperties"):
            out.append(messages.TOO_MANY.on(doc, path, place=subject, limit=err.validator_value))
        elif kind in ("minimum", "exclusiveMinimum"):
            out.append(messages.TOO_SMALL.on(doc, path, place=subject, limit=as_typed(err.validator_value)))
        elif kind in ("maximum", "exclusiveMaximum"):
            out.append(messages.TOO_LARGE.on(doc, path, place=subject, limit=as_typed(err.validator_value)))
        else:
            out.append(messages.SCHEMA_GENERIC.on(doc, path, place=subject))
    return out


def _nearest(key: str, allowed: list[str]) -> str | None:
    lowered = {a.lower(): a for a in allowed}
    if key.lower() in lowered:
        return lowered[key.lower()]
    match = difflib.get_close_matches(key.lower().replace(" ", "_"), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None
