"""Lighthouse 12.2.3 (mobile) on the built site: Performance, Accessibility, Best Practices and SEO
of the home page, the transparency listing (with a district's table loaded) and a unit page.

    python benchmarks/lighthouse.py                    # build/site (`make demo` first)
    python benchmarks/lighthouse.py --site DIR --runs 3 --pages home unit

A measurement, not a test: scores move with the machine's load. Each page is run `--runs` times
and the median score per category is printed; reports go to build/lighthouse/<page>-<n>.report.{html,json}.

Lighthouse is installed on first use with npm into .cache/lighthouse (12.2.3: later versions need
Node 22). It drives Debian's chromium (/usr/bin/chromium, or CHROME_PATH) headless, with the same
flags as the browser tests, against a local server that gzip-compresses text answers as GitHub
Pages does.

Text compression and caching are the web server's job, not the build's. GitHub Pages (behind its
CDN) answers browsers that accept it with gzip-compressed HTML, CSS, JS, JSON and SVG, and sends
`Cache-Control: max-age=600` with every file; a Pages site cannot change either (Lighthouse's
"efficient cache policy" audit therefore stays below its best). The local server here gzips the
same types, so the scores are those of the published site on the same network conditions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.browser import audit  # noqa: E402

VERSION = "12.2.3"
TOOLS = PROJECT / ".cache" / "lighthouse"
CLI = TOOLS / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LABELS = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best Practices",
    "seo": "SEO",
}
PAGES = ("home", "listing", "unit")


def install() -> Path:
    """Lighthouse VERSION under .cache/lighthouse (npm), once."""
    package = CLI.parent.parent / "package.json"
    if package.is_file() and json.loads(package.read_text(encoding="utf-8")).get("version") == VERSION:
        return CLI
    if not shutil.which("npm"):
        raise SystemExit("npm is needed to install Lighthouse (Debian: apt-get install npm)")
    TOOLS.mkdir(parents=True, exist_ok=True)
    print(f"Installing lighthouse@{VERSION} into {TOOLS.relative_to(PROJECT)} …", flush=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(TOOLS),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--save-exact",
            f"lighthouse@{VERSION}",
        ],
        check=True,
    )
    return CLI


def run(cli: Path, url: str, output: Path) -> dict[str, float]:
    flags = " ".join(["--headless=new", *audit.CHROMIUM_ARGS])
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", audit.CHROMIUM)}
    command = [
        "node",
        str(cli),
        url,
        "--quiet",
        "--form-factor=mobile",
        "--output=json",
        "--output=html",
        f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={flags}",
        "--max-wait-for-load=45000",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    report = output.with_name(output.name + ".report.json")
    if done.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr.strip()[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    if data.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {data['runtimeError']}")
    return {
        c: round(100 * data["categories"][c]["score"]) for c in CATEGORIES if data["categories"][c]["score"] is not None
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=PROJECT / "build/site")
    parser.add_argument("--out", type=Path, default=PROJECT / "build/lighthouse")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(audit.demo_pages()))
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is printed")
    parser.add_argument("--json", type=Path, help="also write the medians here")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site}: no built site (run `make demo`)")
    cli = install()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = audit.demo_pages()
    results: dict[str, dict[str, float]] = {}
    with audit.serve(args.site, compress=True) as base:
        for name in args.pages:
            runs = [run(cli, base + pages[name], args.out / f"{name}-{n}") for n in range(1, args.runs + 1)]
            results[name] = {c: statistics.median(r[c] for r in runs if c in r) for c in CATEGORIES}
            print(f"{name:<10} " + "  ".join(f"{LABELS[c]} {results[name][c]:>3g}" for c in CATEGORIES), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
