"""The public site's address, from which published files get their stable URLs.

Editor schemas are served by the site (`<site>/schema/editor/<period>/<type>.schema.json`) and
name themselves by that URL (`$id`); a unit's template points at it. The address is the
organisation's `site_url`, else the `site_url` of the data repository's own mkdocs.yml; without
either (a local clone, a site not published yet) everything stays relative, never a made-up host.
"""

from __future__ import annotations

import re

import yaml

from site_builder.paths import DataRoot

_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/-]*)?\Z")


def site_url(root: DataRoot, declared: object = None) -> str:
    """`declared` (organization.yaml's site_url) or mkdocs.yml's, without a trailing slash; ""."""
    for candidate in (declared, _mkdocs_site_url(root)):
        if isinstance(candidate, str) and _URL.match(candidate.strip()):
            return candidate.strip().rstrip("/")
    return ""


def _mkdocs_site_url(root: DataRoot) -> str | None:
    file = root.path / "mkdocs.yml"
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader) if file.is_file() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data.get("site_url") if isinstance(data, dict) else None


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` tags for its extensions: read them as nothing."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
