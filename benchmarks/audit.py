"""Accessibility and markup audit of a built site, printed per page: axe-core violations by rule at
375 px and 1280 px (every impact, serious/critical marked) and html-validate messages by rule.

    python benchmarks/audit.py                      # the demo site in build/site (`make demo` first)
    python benchmarks/audit.py --test-site          # builds the site the browser tests use
    python benchmarks/audit.py --site DIR --json build/audit.json

The tests (tests/browser/test_accessibility.py, tests/test_html_validate.py) assert on the same
numbers; this script only reports them, e.g. to compare two commits.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.browser import audit  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=PROJECT / "build/site")
    parser.add_argument("--test-site", action="store_true", help="build and audit the browser tests' site")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--config",
        type=Path,
        default=audit.HTML_VALIDATE_CONFIG,
        help="html-validate config (it also reads .htmlvalidate.* files above the pages)",
    )
    args = parser.parse_args()
    pages = audit.PAGES
    work = None
    if args.test_site:
        from site_builder.website.build import build_site
        from tests.test_site_build import make_site_repo

        work = tempfile.TemporaryDirectory()
        root = make_site_repo(Path(work.name) / "data")
        args.site = Path(work.name) / "site"
        build_site(root, args.site)
    elif audit.page_file(args.site, audit.demo_pages()["unit"]).is_file():
        pages = audit.demo_pages()  # a site built from the bundled demo data
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site}: no built site (run `make demo`)")
    report = {"axe": {}, "html_validate": {}}
    from playwright.sync_api import sync_playwright

    with audit.serve(args.site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=audit.CHROMIUM, args=audit.CHROMIUM_ARGS)
        for name, path in pages.items():
            for width in audit.WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                audit.open_audited(page, base, path)
                found = audit.axe(page)
                context.close()
                report["axe"][f"{name}@{width}"] = [
                    {"rule": v["rule"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in found
                ]
        browser.close()
    files = {name: audit.page_file(args.site, path).resolve() for name, path in pages.items()}
    messages = audit.html_validate(list(files.values()), args.config)
    for name, file in files.items():
        report["html_validate"][name] = dict(Counter(m["rule"] for m in messages[file]))

    print("axe-core violations (rule: elements; * = serious/critical)")
    for key, found in report["axe"].items():
        blocking = sum(v["nodes"] for v in found if v["impact"] in audit.BLOCKING)
        rules = ", ".join(f"{'*' if v['impact'] in audit.BLOCKING else ''}{v['rule']}: {v['nodes']}" for v in found)
        print(f"  {key:<18} serious/critical {blocking:>3}   {rules or '—'}")
    print("html-validate messages (rule: count)")
    for name, rules in report["html_validate"].items():
        print(f"  {name:<18} {sum(rules.values()):>4}   {', '.join(f'{k}: {v}' for k, v in rules.items()) or '—'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if work is not None:
        work.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
