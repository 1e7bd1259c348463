# The two commands of the README: `make demo` and `make test`. Each sets itself up on first use.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/sb demo

test: $(STAMP) browser
	$(VENV)/bin/python -m pytest

# The review page's browser test drives Chromium through chromedriver; on Debian (and Ubuntu) they are installed
# from the distribution's packages when missing.
browser:
	@command -v chromedriver >/dev/null || { \
	  command -v apt-get >/dev/null || { echo "make test needs chromium and chromedriver; install them first" >&2; exit 1; }; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver; }

clean:
	rm -rf $(VENV) .sb-data .pytest_cache
