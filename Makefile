# RegLab: `make run` opens the window, `make test` runs ruff and the whole suite headless.
# Both create .venv and install everything on first use; later runs reinstall only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup syslibs run test bench clean distclean

help:
	@echo "make run        set up .venv (and Qt's system libraries on Debian/Ubuntu), open the RegLab window"
	@echo "make test       same set-up, then ruff and the whole test suite headless (PYTEST_ARGS=... passes through)"
	@echo "make bench      run each bench/*.py headless"
	@echo "make clean      remove caches and build files; make distclean also removes .venv"

setup: $(VENV)/.stamp-install
syslibs: $(VENV)/.stamp-syslibs

$(VENV)/.stamp-install: pyproject.toml
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

# Touched only once nothing is missing, so a user without root sees the apt-get command again next time.
$(VENV)/.stamp-syslibs: tools/install_qt_libs.sh | $(VENV)/.stamp-install
	@tools/install_qt_libs.sh --stamp $@

run: setup syslibs
	$(PY) main.py

test: setup syslibs
	$(VENV)/bin/ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q $(PYTEST_ARGS)

bench: setup
	@set -e; files='$(wildcard bench/*.py)'; \
	if [ -z "$$files" ]; then echo "no benchmarks in bench/"; fi; \
	for f in $$files; do echo "== $$f"; QT_QPA_PLATFORM=offscreen $(PY) $$f; done

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
