# The two commands of the README:
#   make demo   install the package, replay the demo's history into a git repository and build its site
#   make test   install test dependencies (incl. Debian's chromium, npm's html-validate) and run every test
# Looking at the site (not tests):
#   make screenshots   build the demo site, PNGs of its main pages at 375 and 1280 px in build/screenshots/
#   make audit         build the demo site, axe-core and html-validate findings per page
#   make lighthouse    build the demo site, Lighthouse (mobile) scores of three pages (installs it once)
#   make reviewer-screenshots  the scoring workbook rendered by LibreOffice (PNG) for the reviewer's guide
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= build/site
DEMO_REPO ?= build/demo-repo
CAO_BANG_REPO ?= build/cao-bang-repo

.PHONY: demo cao-bang serve test lint install install-test lock screenshots audit lighthouse reviewer-screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exact versions from the lock (requirements/), then the package itself without resolving anything
# again; setuptools is in the lock too, so the package is built with the locked version.
install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/run.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .

install-test: $(BIN)/python node_modules/.package-lock.json
	$(BIN)/python -m pip install --quiet -r requirements/test.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v soffice >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq libreoffice-calc-nogui >/dev/null)

# html-validate, pinned in package-lock.json; `npm ci` runs again only when the lock file changes.
# Debian's own nodejs (18.19) is enough when no newer Node is installed.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The demo site is built from a replayed history (dated, signed commits), so on-time and late are
# the clock's real answers; the bundled submissions/ is that history's final tree.
demo: install
	rm -rf $(DEMO_REPO)
	$(BIN)/python benchmarks/generate.py --demo --history $(DEMO_REPO)
	$(BIN)/site-builder --root $(DEMO_REPO) build --out $(OUT)
	@echo "Trang minh hoạ đã được tạo trong $(OUT). Xem thử: make serve (http://127.0.0.1:8000)"

# A second Department (examples/cao-bang/, made with site-builder init): its filings replayed as a
# signed history, then its own site built by the same code.
cao-bang: install
	rm -rf $(CAO_BANG_REPO)
	$(BIN)/python benchmarks/cao_bang.py --history $(CAO_BANG_REPO)
	$(BIN)/site-builder --root $(CAO_BANG_REPO) build --out build/cao-bang
	@echo "Trang minh hoạ của Sở GD&ĐT Cao Bằng đã được tạo trong build/cao-bang."

serve: install
	$(BIN)/python -m http.server --directory $(OUT) --bind 127.0.0.1 8000

# pytest exits 5 when no test was collected: that is not a failure of the data or the code.
# Lint, format and types first (seconds), then every test.
test: install-test lint
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; if [ $$rc -eq 5 ]; then echo "Không có kiểm thử nào được thu thập."; rc=0; fi; exit $$rc

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

screenshots: install-test demo
	$(BIN)/python benchmarks/screenshots.py --site $(OUT) --out build/screenshots

audit: install-test demo
	$(BIN)/python benchmarks/audit.py --site $(OUT)

lighthouse: install-test demo
	$(BIN)/python benchmarks/lighthouse.py --site $(OUT) --runs 3

# The reviewer's guide shows the scoring workbook as LibreOffice renders it (docs/huong-dan/anh/).
reviewer-screenshots: install-test
	$(BIN)/python benchmarks/reviewer_screenshots.py --out docs/huong-dan/anh

# The lock, after a change to the dependencies in pyproject.toml: requirements/test.txt (run, test and
# build) resolved with pip-tools, requirements/run.txt (what `make demo` needs) at the same versions.
# Pins that still fit are kept; `make lock UPGRADE=1` moves every pin to the newest allowed version.
PIP_TOOLS := build/pip-tools
COMPILE    = $(PIP_TOOLS)/bin/pip-compile --quiet --all-build-deps --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	test -x $(PIP_TOOLS)/bin/pip-compile || ($(PYTHON) -m venv $(PIP_TOOLS) && $(PIP_TOOLS)/bin/python -m pip install --quiet pip-tools==7.6.2)
	$(COMPILE) --extra test $(if $(UPGRADE),--upgrade) --output-file requirements/test.txt pyproject.toml
	rm -f requirements/run.txt
	$(COMPILE) --constraint requirements/test.txt --output-file requirements/run.txt pyproject.toml
