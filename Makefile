# The two commands of the README: `make demo` and `make test`. Each sets itself up on first use.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
NGINX := $(VENV)/nginx/usr/sbin/nginx

.PHONY: demo test browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
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
