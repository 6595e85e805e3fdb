"""Full-page PNGs of the built site at phone and desktop width, for looking at the layout.

    python benchmarks/screenshots.py                     # build/site -> build/screenshots/
    python benchmarks/screenshots.py --site DIR --out DIR --pages home unit

Writes <page>-<width>.png (home, listing with Quận 1 chosen, rankings, district, unit, and the
extra kinds given with --pages) and prints, per page and width, whether the page scrolls sideways,
how tall table rows are (cards on a phone), which tables are wider than their box (columns in view,
row heights) and how tall chart text is on screen. `make screenshots` builds the demo site first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.browser import audit  # noqa: E402

DEFAULT = ("home", "listing", "rankings", "district", "unit")
OVERFLOW = """() => {
  const out = [];
  document.querySelectorAll('.md-typeset__scrollwrap, .md-typeset__table').forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      const table = box.querySelector('table');
      const heads = table ? Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent.trim()) : [];
      const visible = heads.filter((_, i) => {
        const cell = table.querySelector('thead th:nth-child(' + (i + 1) + ')');
        return cell.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1;
      });
      const rows = Array.from(table.querySelectorAll('tbody tr')).map((tr) => tr.getBoundingClientRect().height)
        .sort((a, b) => a - b);
      out.push({width: box.scrollWidth, box: box.clientWidth, columns: heads.length,
                visible: visible.length, first_hidden: heads[visible.length] || '',
                row_median: Math.round(rows[Math.floor(rows.length / 2)] || 0), row_max: Math.round(rows[rows.length - 1] || 0)});
    }
  });
  const heights = [];  /* every table row on screen (cards on a phone) */
  document.querySelectorAll('.md-typeset table tbody tr').forEach((tr) => {
    const h = tr.getBoundingClientRect().height; if (h > 0) heights.push(h); });
  heights.sort((a, b) => a - b);
  const sizes = Array.from(document.querySelectorAll('svg text'))  /* font size as drawn, in CSS px */
    .map((t) => parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM() ? t.getScreenCTM().a : 1))
    .concat(Array.from(document.querySelectorAll('.sb-bars li > span'))  /* HTML bar charts: their text */
      .filter((t) => t.getClientRects().length)
      .map((t) => parseFloat(getComputedStyle(t).fontSize)))
    .filter((h) => h > 0).sort((a, b) => a - b);
  return {page: document.documentElement.scrollWidth, tables: out, height: document.documentElement.scrollHeight,
          rows: heights.length ? [heights.length, Math.round(heights[Math.floor(heights.length / 2)]),
                                  Math.round(heights[heights.length - 1])] : null,
          chart_text: sizes.length ? [Math.round(sizes[0] * 10) / 10, Math.round(sizes[sizes.length - 1] * 10) / 10] : null};
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=PROJECT / "build/site")
    parser.add_argument("--out", type=Path, default=PROJECT / "build/screenshots")
    parser.add_argument("--pages", nargs="*", default=list(DEFAULT), choices=list(audit.demo_pages()))
    parser.add_argument("--widths", nargs="*", type=int, default=list(audit.WIDTHS))
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site}: no built site (run `make demo`)")
    args.out.mkdir(parents=True, exist_ok=True)
    pages = audit.demo_pages()
    from playwright.sync_api import sync_playwright

    with audit.serve(args.site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=audit.CHROMIUM, args=audit.CHROMIUM_ARGS)
        for name in args.pages:
            for width in args.widths:
                context = browser.new_context(
                    viewport={"width": width, "height": 900},
                    device_scale_factor=1,
                    is_mobile=width < 600,
                    has_touch=width < 600,
                )
                page = context.new_page()
                audit.open_audited(page, base, pages[name])
                page.evaluate("window.scrollTo(0, 0)")  # a #district link scrolls; sticky bars follow
                facts = page.evaluate(OVERFLOW)
                file = args.out / f"{name}-{width}.png"
                page.screenshot(path=str(file), full_page=True)
                context.close()
                wide = "; ".join(
                    f"table {t['width']}px in {t['box']}px, {t['visible']}/{t['columns']} columns "
                    f"visible, first cut: {t['first_hidden']!r}, rows {t['row_median']}px "
                    f"(median) to {t['row_max']}px"
                    for t in facts["tables"]
                )
                chart = facts["chart_text"]
                print(
                    f"{file.relative_to(PROJECT) if file.is_relative_to(PROJECT) else file}: "
                    f"page {facts['page']}px wide, {facts['height']}px tall"
                    + (
                        f"; {facts['rows'][0]} table rows, {facts['rows'][1]}px (median) to {facts['rows'][2]}px"
                        if facts["rows"]
                        else ""
                    )
                    + (f"; chart text {chart[0]}–{chart[1]}px" if chart else "")
                    + (f"; {wide}" if wide else "")
                )
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
