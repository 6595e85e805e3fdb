"""html-validate (npm, installed by `make install-test`) on the built pages, with the settings in
.htmlvalidate.cjs: the recommended rules, less those answered by the theme's own markup (each
listed there with its reason). Needs no browser; it lives here to share the built site.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import audit

PAGES = {**audit.PAGES, **audit.MORE_PAGES, "not-found": "404.html"}

# Known problems: (page, rule) -> what has to change. A listed problem makes its page xfail; once
# it is gone the test fails until the entry is removed. Empty: every page validates.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def validate(files: list[Path]) -> dict[Path, list[dict]]:
    """html-validate's messages; without the tool the test is skipped on a developer's machine and
    fails in CI (CI=true), where `make test` has installed it."""
    try:
        return audit.html_validate(files)
    except FileNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("html-validate is not installed: run `make install-test`")
        pytest.skip("html-validate is not installed: run `make install-test`")


@pytest.fixture(scope="module")
def messages(browser_site: Path) -> dict[str, list[dict]]:
    files = {name: audit.page_file(browser_site, path).resolve() for name, path in PAGES.items()}
    found = validate(list(files.values()))
    return {name: found[file] for name, file in files.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAGES))
def test_html_validate(messages, name):
    found = messages[name]
    known = {rule: why for (where, rule), why in KNOWN_FAILURES.items() if where == name}
    unexpected = [m for m in found if m["rule"] not in known]
    assert not unexpected, "\n".join(
        f"{name}:{m['line']}:{m['column']} {m['rule']}: {m['message']}" for m in unexpected
    )
    fixed = sorted(set(known) - {m["rule"] for m in found})
    assert not fixed, f"{name}: {fixed} no longer fail; remove them from KNOWN_FAILURES"
    if known:
        pytest.xfail("; ".join(f"{rule}: {why}" for rule, why in known.items()))


def test_html_validate_reports_broken_markup(tmp_path):
    """The check above can fail: an element closed in the wrong order and an unescaped tag-like
    placeholder (what «<tên nhánh>» did in a guide) are reported."""
    page = tmp_path / "index.html"
    page.write_text(
        '<!DOCTYPE html><html lang="vi"><head><title>t</title></head><body>'
        "<p><strong>Commit to the <tên nhánh> branch</strong></p><div><span></div></span>"
        "</body></html>",
        encoding="utf-8",
    )
    found = validate([page])[page.resolve()]
    rules = {m["rule"] for m in found}
    assert {"close-order", "element-name"} & rules, found
