# Two entry points, each doing its own set-up on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: assess test bench clean system-libs test-libs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# report.pdf needs Pango (WeasyPrint); the tests also read the PDF with poppler's pdftoppm/pdftotext.
system-libs:
	@.ci/system-libs pango

test-libs:
	@.ci/system-libs pango
	@.ci/system-libs poppler || echo "warning: without poppler the PDF page tests are skipped" >&2

assess: system-libs $(STAMP)
	$(VENV)/bin/nowan assess

test: test-libs $(STAMP)
	$(VENV)/bin/python -m pytest -n 2

bench: $(STAMP)
	for b in bench/*.py; do $(VENV)/bin/python $$b || exit 1; done

clean:
	rm -rf $(VENV) out .hypothesis .pytest_cache
