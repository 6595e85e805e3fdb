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
    return {
        kind: Draft202012Validator(
            _inline_local_refs(schema, schema.get("$defs", {})), registry=registry, format_checker=checker
        )
        for kind, schema in loaded.items()
    }


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
    """jsonschema's errors as Vietnamese problems, each at the line of the field concerned."""
    out = []
    for err in _leaf_errors(error):
        path = tuple(err.absolute_path)
        if err.validator == "required":
            out += _missing_keys(err, doc, path)
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            out += _unknown_keys(err, doc, path, suggestions)
        elif err.validator == "propertyNames":
            hint = messages.PATTERN_HINTS.get(path[-1] if path else "", messages.KEY_HINT)
            out.append(
                messages.BAD_KEY.on(
                    doc,
                    path + (err.instance,),
                    key=True,
                    place=messages.subject_for(path),
                    value=err.instance,
                    hint=hint,
                )
            )
        else:
            out.append(_value_problem(err, doc, path))
    return out


def _missing_keys(err, doc: YamlDocument, path) -> list:
    present = err.instance if isinstance(err.instance, dict) else {}
    return [
        messages.MISSING_KEY.on(doc, path, place=messages.subject_for(path), name=key, named=messages.key_label(key))
        for key in err.validator_value
        if key not in present
    ]


def _unknown_keys(err, doc: YamlDocument, path, suggestions: list[int]) -> list:
    """One problem per key the schema does not allow; the first few get a "did you mean"."""
    allowed = sorted(err.schema.get("properties", {}))
    out = []
    for key in err.instance:
        if key in allowed:
            continue
        suggestion = None
        if suggestions[0] > 0:
            suggestions[0] -= 1
            suggestion = _nearest(key, allowed)
        out.append(
            messages.UNKNOWN_KEY.on(
                doc,
                path + (key,),
                key=True,
                place=messages.subject_for(path + (key,)),
                hint=messages.unknown_key_hint(suggestion, allowed),
                name=key,
            )
        )
    return out


def _value_problem(err, doc: YamlDocument, path):
    """What is wrong with one value (type, format, range, length)."""
    subject = messages.subject_for(path)
    kind, value, limit = err.validator, err.instance, err.validator_value
    if kind == "type":
        return doc.problem(path, subject, *messages.wrong_type(limit, value), code="wrong-type")
    if kind == "pattern":
        hint = messages.PATTERN_HINTS.get(str(path[-1]) if path else "", messages.PATTERN_HINT)
        if len(path) >= 2 and isinstance(path[-1], int):
            hint = messages.PATTERN_HINTS.get(str(path[-2]), hint)
        return messages.BAD_PATTERN.on(doc, path, place=subject, value=messages.describe_value(value), what=hint)
    if kind in ("enum", "const"):
        allowed = [a for a in limit if a is not None] if kind == "enum" else [limit]
        return messages.BAD_VALUE.on(
            doc, path, place=subject, value=messages.describe_value(value), allowed=", ".join(str(a) for a in allowed)
        )
    if kind == "format" and limit == "date":
        return messages.BAD_DATE.on(doc, path, place=subject, value=messages.shown_date(value))
    if kind == "maxLength":
        return messages.TOO_LONG.on(doc, path, place=subject, limit=limit)
    if kind == "minLength":
        return messages.EMPTY_TEXT.on(doc, path, place=subject)
    if kind in ("maxItems", "maxProperties"):
        return messages.TOO_MANY.on(doc, path, place=subject, limit=limit)
    if kind in ("minimum", "exclusiveMinimum"):
        return messages.TOO_SMALL.on(doc, path, place=subject, limit=as_typed(limit))
    if kind in ("maximum", "exclusiveMaximum"):
        return messages.TOO_LARGE.on(doc, path, place=subject, limit=as_typed(limit))
    return messages.SCHEMA_GENERIC.on(doc, path, place=subject)


def _nearest(key: str, allowed: list[str]) -> str | None:
    lowered = {a.lower(): a for a in allowed}
    if key.lower() in lowered:
        return lowered[key.lower()]
    match = difflib.get_close_matches(key.lower().replace(" ", "_"), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None
