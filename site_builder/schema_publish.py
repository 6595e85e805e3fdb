"""The JSON Schemas on the public site, at stable addresses editors can fetch:

    <site>/schema/<kind>.schema.json                       the general schemas of every YAML kind
    <site>/schema/editor/<period>/<unit-type>.schema.json  the editor schemas (editor_schema.py)

A unit's template names its editor schema by that address when the organisation has a site
address (`site_url`), and each published schema's `$id` is its own address, so relative `$ref`s
between the general schemas resolve on the site too. Without a site address the `$id`s stay
relative (the file name), never a made-up host.
"""

from __future__ import annotations

import json
from pathlib import Path

from site_builder.editor_schema import expected_files
from site_builder.paths import DataRoot

FOLDER = "schema"


def publish(root: DataRoot, site: Path, site_url: str) -> list[str]:
    """Write every schema into `site`/schema/; returns the site-relative paths written."""
    written = []
    for file in sorted(root.schema.glob("*.schema.json")):
        schema = json.loads(file.read_text(encoding="utf-8"))
        schema["$id"] = f"{site_url}/{FOLDER}/{file.name}" if site_url else file.name
        written.append(_write(site, f"{FOLDER}/{file.name}", json.dumps(schema, ensure_ascii=False, indent=2) + "\n"))
    for rel, text in expected_files(root).items():  # generated from criteria/, as editor-schemas writes them
        written.append(_write(site, rel, text))
    return written


def _write(site: Path, rel: str, text: str) -> str:
    target = site / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return rel
