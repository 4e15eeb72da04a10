# The README's two commands: `make extract` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: extract test lint golden bench fixtures clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

extract: $(STAMP)
	$(PY) -m pipeline extract --out output

test: $(STAMP)
	$(PY) -m pytest

# ruff (rules in pyproject.toml) over the code and tests, mypy --strict over pipeline/.
lint: $(STAMP)
	$(PY) -m ruff check pipeline tests benchmarks
	$(PY) -m mypy

# Rewrites tests/fixtures/golden/*.json from the current code: review `git diff` line by line.
golden: $(STAMP)
	$(PY) -m tests.golden

# Rebuilds the committed PDF and HTML renderings under tests/fixtures/ (needs LibreOffice and
# fonts-noto-cjk; not part of `make test`, which only reads the committed files).
fixtures: $(STAMP)
	$(PY) -m pip install --quiet -e '.[fixtures]'
	$(PY) -m tests.fixtures.build_pdf
	$(PY) -m tests.fixtures.build_html

bench: $(STAMP)
	$(PY) -m benchmarks.bench

clean:
	rm -rf $(VENV) output .pytest_cache
