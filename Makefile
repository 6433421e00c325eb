# Raasta: `make run` starts the portal, `make test` runs the suite. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run hosts test bench install install-dev messages clean

# Stamps record which requirements were installed, so a re-run with unchanged files installs nothing.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Translations: the catalogues (.po) are kept in git, their compiled form (.mo) is built from them here.
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)
%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(VENV)/.installed $(COMPILED)
install-dev: $(VENV)/.installed-dev $(COMPILED)

# Every marked string into messages.pot, then into each catalogue; translate the new entries in the .po.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 -k Phrase --sort-by-file \
	  --project=Raasta --copyright-holder="Raasta" -o app/translations/messages.pot app templates
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching \
	  --ignore-obsolete

run: install
	$(BIN)/python -m app.runtime.launcher

# HOSTS web hosts and WORKERS workers behind HAProxy, on DATABASE_URL (PostgreSQL) and REDIS_URL; Ctrl-C stops them.
HOSTS ?= 2
WORKERS ?= 2
hosts: install
	$(BIN)/python -m deploy.cluster up --hosts $(HOSTS) --workers $(WORKERS)

# Test processes: the suite waits on workers, browsers and servers much of the time, so twice the CPUs
# keeps them busy; at most 8, each with a database and a Redis database of its own (tests/conftest.py).
# TEST_PROCESSES=0 runs the suite in one process.
TEST_PROCESSES ?= $(shell n=$$(( $$(nproc) * 2 )); echo $$(( n > 8 ? 8 : n )))

test: install-dev
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

bench: install-dev
	@set -e; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) .pytest_cache
