# The two commands a newcomer needs: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help setup run worker beat test fuzz lint fmt messages screenshots assets bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the pinned requirements
	$(PY) manage.py migrate --noinput

run: setup ## Set up, load demo data and serve the portal at http://127.0.0.1:8000
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST)

# One worker for every queue by default; QUEUES=screening (or email,fanout ...) for a worker per kind
# of work. The node name follows the queues, so several workers can run on one machine.
QUEUES ?=
comma := ,
worker: $(STAMP) ## Run a Celery worker (needs REDIS_URL); QUEUES=email,screening for only those queues
	$(VENV)/bin/celery -A config worker --loglevel=info \
		$(if $(QUEUES),-Q $(QUEUES) -n $(subst $(comma),-,$(QUEUES))@%h)

beat: $(STAMP) ## Run Celery beat (needs REDIS_URL)
	$(VENV)/bin/celery -A config beat --loglevel=info

TEST_WORKERS ?= auto
test: $(STAMP) ## Run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set); TEST_WORKERS=auto (one per core)
	$(PY) -m pytest -n $(TEST_WORKERS)

FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP) ## Schemathesis against /api/schema/ as every role, FUZZ_EXAMPLES cases per operation (200)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/portal/test_api_schema_fuzz.py -p no:cacheprovider -q

lint: $(STAMP) ## ruff check, format check, template lint, Django checks and migrations in step
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

fmt: $(STAMP) ## Format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP) ## Update and compile the translations (Arabic and Russian: locale/tools/fill_public.py; djangojs: the admin's scripts)
	$(PY) manage.py makemessages -l fa -l ar -l ru --ignore=.venv --ignore=scripts --ignore=tests --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l fa --ignore=.venv --ignore=portal/static/vendor --ignore=tests \
		--ignore=scripts --ignore=staticfiles --no-obsolete
	$(PY) locale/tools/fill_public.py
	$(PY) manage.py compilemessages -l fa -l ar -l ru --ignore=.venv

screenshots: $(STAMP) ## Screenshot pages of a running portal: make screenshots PAGES="/ /countries/"
	$(PY) scripts/screenshots.py http://$(HOST) $(PAGES)

# The vendored front-end files (assets.json): fetched from npm at the pinned versions, checked against
# the registry's integrity and the recorded sha256, then copied into portal/static/vendor/ (axe-core,
# for the browser tests only, into tests/e2e/vendor/). After
# bumping a version in assets.json, UPDATE=1 records the new checksums. Needs npm; no node_modules.
assets: $(STAMP) ## Refresh portal/static/vendor/ from npm and verify checksums; UPDATE=1 after a version bump
	$(PY) scripts/vendor_assets.py $(if $(UPDATE),--update)

bench: $(STAMP) ## Load benchmark at 10k and 100k products vs the bare-Django floor; BENCH_ARGS="--help"
	$(PY) -m bench.run $(BENCH_ARGS)

clean: ## Remove the virtualenv, the SQLite database and collected files
	rm -rf $(VENV) db.sqlite3 staticfiles
