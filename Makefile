# Thaw: the two commands of README.md are `make run` and `make test`.
# Both create .venv with Python 3.12+ (found by scripts/find-python) and install pinned versions
# from constraints.txt, re-installing only when pyproject.toml or constraints.txt change.

VENV        ?= .venv
BIN         := $(VENV)/bin
HOST        ?= 127.0.0.1
PORT        ?= 8000
PYTEST_ARGS ?=
export DJANGO_SETTINGS_MODULE ?= platform_site.settings.local

.PHONY: run test install install-test migrate seed serve lock clean help

help:
	@echo "make run    install, migrate, seed the demo and serve http://$(HOST):$(PORT) (SQLite, no services)"
	@echo "make test   install the test dependencies and run the whole test suite"
	@echo "make lock   refresh constraints.txt from a clean install of pyproject.toml's ranges"

$(BIN)/python:
	"$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

serve: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Thaw is at http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(BIN)/uvicorn platform_site.asgi:application --host $(HOST) --port $(PORT) --lifespan off

run: seed serve

# The parallel part, then the serial one (scripts/test); no test collected at all is a failure.
test: install-test
	@DJANGO_SETTINGS_MODULE=platform_site.settings.test PYTHON=$(BIN)/python scripts/test $(PYTEST_ARGS)

lock:
	rm -rf .venv-lock
	"$$(scripts/find-python)" -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet '.[test]'
	{ echo '# Exact versions for repeatable installs (pip install -c constraints.txt). Regenerate: make lock'; \
	  .venv-lock/bin/python -m pip freeze --exclude thaw; } > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) staticfiles
