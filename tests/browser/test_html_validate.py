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

# Problems in files outside the site's theme layer (page templates, build.py), which another
# change rewrites: (page, rule) -> what has to change. A listed problem makes its page xfail; once
# it is gone the test fails until the entry is removed, so the list only shrinks and ends empty.
KNOWN_FAILURES = {
    ("unit", "wcag/h63"): "templates/unit.html: the criteria table has row headers (th scope=row / "
                          "rowgroup), so its column headers need scope=\"col\" too (6 <th> in its <thead>)",
    ("unit-missing", "wcag/h63"): "the same criteria table (templates/unit.html)",
    ("unit-office", "wcag/h63"): "the same criteria table (templates/unit.html)",
    ("criteria", "wcag/h63"): "templates/criteria.html: same as unit.html, <th scope=\"col\"> in each "
                              "catalogue table's <thead> (3 <th> per table)",
    ("search", "wcag/h32"): "templates/search.html: <form onsubmit=\"return false\"> without a submit "
                            "button; make it a GET form to tim-kiem/ with name=\"q\" and a «Tìm» button "
                            "(site.js already reads ?q=), or drop the <form> for <div role=\"search\">",
    ("district", "long-title"): "build.py titles a district page «<office name> — <period title>» and the "
                                "theme adds « - <site name>»: 80 characters for «Phòng Giáo dục và Đào tạo "
                                "Quận 1»; shorten (e.g. «PGD&ĐT Quận 1 — 2023-2024») or leave out the period",
    ("unit-office", "long-title"): "the same title rule for an office's own unit page (build.py)",
}


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
    assert not unexpected, "\n".join(f"{name}:{m['line']}:{m['column']} {m['rule']}: {m['message']}"
                                     for m in unexpected)
    fixed = sorted(set(known) - {m["rule"] for m in found})
    assert not fixed, f"{name}: {fixed} no longer fail; remove them from KNOWN_FAILURES"
    if known:
        pytest.xfail("; ".join(f"{rule}: {why}" for rule, why in known.items()))


def test_html_validate_reports_broken_markup(tmp_path):
    """The check above can fail: an element closed in the wrong order and an unescaped tag-like
    placeholder (what «<tên nhánh>» did in a guide) are reported."""
    page = tmp_path / "index.html"
    page.write_text('<!DOCTYPE html><html lang="vi"><head><title>t</title></head><body>'
                    "<p><strong>Commit to the <tên nhánh> branch</strong></p><div><span></div></span>"
                    "</body></html>", encoding="utf-8")
    found = validate([page])[page.resolve()]
    rules = {m["rule"] for m in found}
    assert {"close-order", "element-name"} & rules, found
