# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
APPS := core centers alliance credits funding training studios evaluation dashboards
HOST ?= 127.0.0.1
PORT ?= 8000
# Code samples in the docs are illustrative (often abbreviated): ruff formats Python only.
RUFF_FORMAT_EXCLUDE := --exclude "*.md"

.PHONY: run test install install-test lock upgrade lint fmt check pytest messages translations browser-deps bench loadtest worker clean screenshots vendor-echarts

UV := $(BIN)/uv
# uv uses the interpreter in .venv and never downloads one; a lock that disagrees with
# pyproject.toml stops the install (`make lock` writes a new one).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
unexport VIRTUAL_ENV

# A new .venv gets the pinned uv (requirements/bootstrap.txt, checked by hash) and
# nothing else from pip; uv then installs everything from uv.lock.
$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (make PYTHON=python3.11 ...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/bootstrap.txt

$(PY): | $(UV)

$(VENV)/.stamp-run: pyproject.toml uv.lock | $(UV)
	$(UV) sync --quiet --locked
	touch $@

$(VENV)/.stamp-test: pyproject.toml uv.lock | $(UV)
	$(UV) sync --quiet --locked --extra test
	touch $@ $(VENV)/.stamp-run

install: $(VENV)/.stamp-run
install-test: $(VENV)/.stamp-test

translations: install
	$(PY) manage.py compiletranslations

## make lock: after editing pyproject.toml's dependencies, write uv.lock anew (other
## pins stay as they are). make upgrade: move every pin to the newest allowed version.
lock: | $(UV)
	$(UV) lock

upgrade: | $(UV)
	$(UV) lock --upgrade
	@echo "uv.lock upgraded: review 'git diff uv.lock', run make test, commit (docs/deploy.md)."

## make run: install, migrate, compile translations, load the demo federation, serve it.
run: translations
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: lint, system checks, migrations check and the whole test suite.
test: install-test browser-deps
	$(MAKE) --no-print-directory lint check pytest

lint: install-test
	$(UV) lock --check --quiet
	$(BIN)/ruff check .
	$(BIN)/ruff format --check $(RUFF_FORMAT_EXCLUDE) .
	$(BIN)/lint-imports

fmt: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format $(RUFF_FORMAT_EXCLUDE) .

check: install-test
	$(PY) manage.py compiletranslations
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# Two workers (xdist), one test file per worker at a time; works on SQLite and PostgreSQL
# (each worker gets its own test database).
pytest: install-test
	$(PY) manage.py compiletranslations >/dev/null
	$(BIN)/pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

## Chromium for the browser tests (Debian's package; needs root, else those tests skip locally).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "Could not install chromium: browser tests will skip."; \
	  else echo "chromium is missing: browser tests will skip (apt-get install chromium)."; fi; \
	fi

## make screenshots: a PNG per page per demo role at 390 and 1366 px into screenshots/
## (look at them before calling a page done; report.txt lists pages that scroll sideways).
screenshots: install-test browser-deps
	$(PY) manage.py compiletranslations >/dev/null
	SCREENSHOTS=1 $(BIN)/pytest tests/core/test_phone.py -k "screenshots or staff_pages" -q -p no:xdist

## make messages: refresh the .po files of every app after changing strings.
messages: install-test
	@for app in $(APPS); do (cd $$app && mkdir -p locale && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete -i "migrations/*" >/dev/null && echo "$$app ok"); done
	mkdir -p locale && $(PY) manage.py makemessages -l zh_Hans --no-obsolete $(foreach a,$(APPS),-i "$(a)/*") -i ".venv/*" -i "tests/*" -i "bench/*" >/dev/null

## make vendor-echarts: fetch Apache ECharts from the npm registry, check the tarball's SHA-256
## and copy dist/echarts.min.js and its LICENSE/NOTICE into static/vendor/echarts/ (committed:
## `make run` and CI need no network). To upgrade: change the version, run it once with
## ECHARTS_SHA256= to print the new digest, record it here, commit (docs/dashboards.md).
ECHARTS_VERSION := 6.1.0
ECHARTS_SHA256 := 681aff88cc1038c3fa941a3a53d1b177a52250b05335efc607d6105ae13be481
ECHARTS_URL := https://registry.npmjs.org/echarts/-/echarts-$(ECHARTS_VERSION).tgz
vendor-echarts:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  curl -fsSL -o "$$tmp/echarts.tgz" "$(ECHARTS_URL)" && \
	  digest=$$(sha256sum "$$tmp/echarts.tgz" | cut -d' ' -f1) && \
	  if [ "$$digest" != "$(ECHARTS_SHA256)" ]; then \
	    echo "echarts-$(ECHARTS_VERSION).tgz: SHA-256 $$digest, expected $(ECHARTS_SHA256)"; exit 1; fi && \
	  tar -xzf "$$tmp/echarts.tgz" -C "$$tmp" package/dist/echarts.min.js package/LICENSE package/NOTICE && \
	  mkdir -p static/vendor/echarts && \
	  cp "$$tmp/package/dist/echarts.min.js" "$$tmp/package/LICENSE" "$$tmp/package/NOTICE" static/vendor/echarts/ && \
	  echo "$(ECHARTS_VERSION)" > static/vendor/echarts/VERSION && \
	  echo "static/vendor/echarts/: ECharts $(ECHARTS_VERSION) (Apache-2.0)"

worker: install
	$(BIN)/celery -A config worker -B --loglevel INFO

## make bench: fill the gz_bench PostgreSQL database if empty, measure credits at city scale
## (docs/benchmarks.md); BENCH_ARGS="--fresh" rebuilds the data first.
bench: install-test
	$(PY) -m bench $(BENCH_ARGS)

## make loadtest: gunicorn with production settings on 127.0.0.1, 20 clients signed in
## for real, req/s and p50/p95/p99 per page and the batch sync (docs/benchmarks.md, "Load").
loadtest: install-test
	$(PY) -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
