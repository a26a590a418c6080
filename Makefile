# RegLab: `make run` opens the window, `make test` runs ruff and the whole suite headless.
# Both create .venv and install everything on first use; later runs reinstall only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# What `pip install -e` adds to RegLab: dev (tests, ruff); CI adds cluster (Ray, for `--backend ray` and its tests).
EXTRAS ?= dev
# pytest workers: one per core, at most 4 (each imports TensorFlow, ~0.5 GB); TEST_JOBS=0 runs in one process.
# --dist loadfile keeps a file on one worker: the runs its tests share (lesson claims over seeds) train once.
TEST_JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)

.DEFAULT_GOAL := help
.PHONY: help setup syslibs run test bench package dist package-check clean distclean

help:
	@echo "make run        set up .venv (and Qt's system libraries on Debian/Ubuntu), open the RegLab window"
	@echo "make test       same set-up, then ruff, the import contracts and the whole test suite headless (PYTEST_ARGS=... passes through)"
	@echo "make bench      run each bench/*.py headless"
	@echo "make package    build the desktop app with PyInstaller: dist/RegLab/RegLab (skipped when nothing changed)"
	@echo "make dist       build if needed, then pack it into one archive: dist/RegLab-<version>-linux-x86_64.tar.gz"
	@echo "make package-check   build and pack if needed, unpack the archive elsewhere, run its self-test and commands"
	@echo "make clean      remove caches and build files; make distclean also removes .venv"

setup: $(VENV)/.stamp-install
syslibs: $(VENV)/.stamp-syslibs

$(VENV)/.stamp-install: pyproject.toml
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $@

# Touched only once nothing is missing, so a user without root sees the apt-get command again next time.
$(VENV)/.stamp-syslibs: tools/install_qt_libs.sh | $(VENV)/.stamp-install
	@tools/install_qt_libs.sh --stamp $@

# Bytecode written ahead (only what changed): the window starts ~0.15 s sooner where PYTHONDONTWRITEBYTECODE is set.
run: setup syslibs
	@$(PY) -m compileall -q main.py engine gui
	$(PY) main.py

test: setup syslibs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n $(TEST_JOBS) --dist loadfile $(PYTEST_ARGS)

bench: setup
	@set -e; files='$(wildcard bench/*.py)'; \
	if [ -z "$$files" ]; then echo "no benchmarks in bench/"; fi; \
	for f in $$files; do echo "== $$f"; QT_QPA_PLATFORM=offscreen $(PY) $$f; done

# The build is redone only when something it bundles changed (CI starts from a clean clone, so it always builds).
PACKAGED := main.py RegLab.spec tools/slim_bundle.py tools/bundle_stand_ins.py pyproject.toml $(shell find engine gui -name "*.py") $(shell find resources -type f)
APP := dist/RegLab/RegLab

$(VENV)/.stamp-package: pyproject.toml | $(VENV)/.stamp-install
	$(PY) -m pip install -q --disable-pip-version-check -e '.[package]'
	@touch $@

package: $(APP)

$(APP): $(PACKAGED) | $(VENV)/.stamp-package $(VENV)/.stamp-syslibs
	TF_CPP_MIN_LOG_LEVEL=2 $(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN RegLab.spec
	@du -sh dist/RegLab | sed 's/\t.*/ dist\/RegLab/; s/^/size: /'
	@touch $@

# The stamp holds the archive's path (tools/dist_archive.py names it after the version the built app reports).
ARCHIVE_STAMP := dist/.archive

dist: $(ARCHIVE_STAMP)

$(ARCHIVE_STAMP): $(APP)
	$(PY) tools/dist_archive.py dist/RegLab --record $@

# What a teacher gets: the archive, unpacked elsewhere, its self-test and commands (tools/check_bundle.sh).
package-check: $(ARCHIVE_STAMP)
	PYTHON=$(PY) timeout 900 tools/check_bundle.sh "$$(cat $(ARCHIVE_STAMP))"

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
