# The README's two commands: `make extract` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: extract test lint fuzz golden bench fixtures clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	# jieba's tables into the per-user cache now, so the first extract starts warm (see README).
	$(PY) -c "from pipeline import nlp; nlp.warm()"
	touch $(STAMP)

extract: $(STAMP)
	$(PY) -m pipeline extract --out output

# Compiled bytecode (and pytest's assertion-rewritten test modules) kept under .venv/, even
# where the environment says PYTHONDONTWRITEBYTECODE: otherwise each of the suite's worker
# processes, and each process a test starts, compiles every module it imports again (~1.5 s
# of a worker's start-up). The source tree gets no __pycache__ folders either way.
PYCACHE := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache

test: $(STAMP)
	$(PYCACHE) $(PY) -m pytest

# ruff (rules in pyproject.toml) over the code and tests, mypy --strict over pipeline/.
lint: $(STAMP)
	$(PY) -m ruff check pipeline tests benchmarks
	$(PY) -m mypy

# Many more fuzz cases than `make test` runs (FUZZ_CASES per format, from seed FUZZ_FIRST); every
# failing mutant is kept under tests/fixtures/fuzz/, where `make test` replays it from then on.
FUZZ_CASES ?= 3000
FUZZ_FIRST ?= 0
fuzz: $(STAMP)
	$(PYCACHE) FUZZ_CASES=$(FUZZ_CASES) FUZZ_FIRST=$(FUZZ_FIRST) FUZZ_SAVE=1 \
		$(PY) -m pytest tests/test_fuzz.py -k mutants_fail_cleanly_or -s -n 0 -p no:cacheprovider

# Rewrites tests/fixtures/golden/*.json from the current code: review `git diff` line by line.
golden: $(STAMP)
	$(PY) -m tests.golden

# Rebuilds the committed PDF, HTML and Word renderings under tests/fixtures/, and the layouts' 序号
# dumps and renderings under tests/fixtures/layouts/ (needs LibreOffice and
# fonts-noto-cjk; not part of `make test`, which only reads the committed files).
fixtures: $(STAMP)
	$(PY) -m pip install --quiet -e '.[fixtures]'
	$(PY) -m tests.fixtures.build_pdf
	$(PY) -m tests.fixtures.build_html
	$(PY) -m tests.fixtures.build_docx
	$(PY) -m tests.fixtures.layout_dumps
	$(PY) -m tests.fixtures.build_layouts

# Prints the tables and records them in benchmarks/RESULTS.md; Camelot is a peer only if the
# bench extra installs (its absence is said in the table, not an error). Bytecode kept as for
# the tests: under PYTHONDONTWRITEBYTECODE each run of this editable install compiled the
# pipeline's modules again (~40 ms of CPU a PDF extract), which an installed copy (pip
# compiles at install) and the installed peers never pay.
bench: $(STAMP)
	-$(PY) -m pip install --quiet -e '.[bench]'
	$(PYCACHE) $(PY) -m benchmarks.bench --record

clean:
	rm -rf $(VENV) output .pytest_cache
