# The two commands of the README: `make demo` and `make test`. Each sets itself up on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
NGINX := $(VENV)/nginx/usr/sbin/nginx

.PHONY: demo test browser clean

# The first run installs SpamBrainz and its dependencies (a few minutes): one line per package shows the progress,
# and pip's whole output is kept in $(VENV)/install.log.
$(STAMP): pyproject.toml
	@echo "setting up $(VENV): installing SpamBrainz and its dependencies (first run only, a few minutes)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	@set -o pipefail; $(VENV)/bin/python -m pip install -e '.[dev]' 2>&1 | tee $(VENV)/install.log | \
	  awk '/^(Collecting|Installing collected|Successfully installed|ERROR)/ { print "  " substr($$0, 1, 160); fflush() }' || \
	  { echo "installing failed: $(VENV)/install.log has pip's whole output" >&2; exit 1; }
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/sb demo

test: $(STAMP) browser $(NGINX)
	$(VENV)/bin/python -m pytest

# The review page's browser test drives Chromium through chromedriver; on Debian (and Ubuntu) they are installed
# from the distribution's packages when missing.
browser:
	@command -v chromedriver >/dev/null || { \
	  command -v apt-get >/dev/null || { echo "make test needs chromium and chromedriver; install them first" >&2; exit 1; }; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver; }

# The slow-client drill runs nginx in front of gunicorn, as deployed. Only its binary is needed: it is unpacked
# from Debian's package into the venv, so no nginx service is installed or started.
$(NGINX):
	@command -v apt-get >/dev/null || { echo "make test needs Debian's nginx package (apt-get download nginx)" >&2; exit 1; }
	rm -rf $(VENV)/nginx-deb && mkdir -p $(VENV)/nginx-deb
	cd $(VENV)/nginx-deb && { apt-get download nginx 2>/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && apt-get download nginx; }; }
	dpkg -x $(VENV)/nginx-deb/nginx_*.deb $(VENV)/nginx && rm -rf $(VENV)/nginx-deb
	$(NGINX) -v

clean:
	rm -rf $(VENV) .sb-data .pytest_cache
