# Gavel — developer and CI entry points.
#
#   make build       debug build of the binary and the test bundles
#   make run         build, then serve with config.yaml (embedded SQLite under data/)
#   make test        deps, build, `swift test`, then against the debug binary: the end-to-end
#                    script, the observability loop (promtool, dashboards, Prometheus + Locust),
#                    contract fuzzing (schemathesis), the real-browser test and the compose check
#   make e2e         only the end-to-end script (expects an existing debug build)
#   make bench       release build, then wrk benchmarks (scripts/bench.sh)
#   make up          build and start the compose stack: gavel :8080, Locust :8089, Grafana :3000,
#                    Prometheus :9090 (needs a Docker engine)
#   make down        stop the stack
#   make loadtest    headless Locust against URL (default http://127.0.0.1:8080, i.e. `make run`);
#                    SHAPE=smoke|baseline|stress|sniping picks a load shape (default smoke)
#   make screenshot  regenerate the README's picture of the demo page
#   make deps        install missing system and Python packages (idempotent; quiet when present)
#   make clean       remove build products, local data, and the stack's containers and volumes
#
# Works as root on a fresh Debian 12 with Swift preinstalled (uses sudo when not root).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

SWIFT       ?= swift
CONFIG      ?= config.yaml
SWIFT_FLAGS ?=
DEBUG_BIN   := .build/debug/gavel
RELEASE_BIN := .build/release/gavel

# System packages: libsqlite3-dev is needed to compile GRDB; curl, jq and python3 are used by
# the scripts (python3 also mints JWTs); prometheus (with promtool) and docker-compose (which
# validates compose.yaml without an engine) by scripts/observability.sh and check_compose.py;
# chromium and its driver by the browser test; wrk only by the benchmark.
# TOOL_DEPS entries are COMMAND or COMMAND:PACKAGE.
APT_DEPS   := libsqlite3-dev
TOOL_DEPS  := curl jq python3 prometheus promtool:prometheus docker-compose chromium chromedriver:chromium-driver
BENCH_DEPS := wrk
# Python packages, pinned in these files: Locust and pyotp (the independent TOTP implementation
# the scripts check 2FA with), schemathesis and selenium. PY_IMPORTS are checked before pip runs.
PY_REQUIREMENTS := locust/requirements.txt scripts/requirements.txt
PY_IMPORTS      := locust pyotp schemathesis selenium

COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
URL     ?= http://127.0.0.1:8080
SHAPE   ?= smoke

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || command -v sudo 2>/dev/null)

# $(call ensure_pkgs,ENTRIES,CHECK) — install the Debian packages whose check fails.
# CHECK is `pkg` (dpkg -s, for libraries) or `cmd` (command -v, for tools; an entry may be
# COMMAND:PACKAGE). `apt-get update` runs only when something is actually missing.
define ensure_pkgs
	missing=""; \
	for entry in $(1); do \
	  cmd=$${entry%%:*}; pkg=$${entry#*:}; \
	  if [ "$(2)" = pkg ]; then dpkg -s "$$pkg" >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	  else command -v "$$cmd" >/dev/null 2>&1 || missing="$$missing $$pkg"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  missing=$$(echo $$missing | tr ' ' '\n' | sort -u | tr '\n' ' '); \
	  echo "deps: installing $$missing"; \
	  $(SUDO) apt-get update -qq; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

# Installs the pinned Python requirements when one of PY_IMPORTS cannot be imported.
define ensure_py
	if ! python3 -c "import $(subst $(eval) ,$(comma),$(PY_IMPORTS))" >/dev/null 2>&1; then \
	  echo "deps: installing Python packages from $(PY_REQUIREMENTS)"; \
	  python3 -m pip install --quiet --disable-pip-version-check $(addprefix -r ,$(PY_REQUIREMENTS)); \
	  python3 -c "import $(subst $(eval) ,$(comma),$(PY_IMPORTS))" \
	    || { echo "deps: python3 still cannot import $(PY_IMPORTS)" >&2; exit 1; }; \
	fi
endef
comma := ,

.PHONY: help deps deps-bench build build-release run test e2e bench up down loadtest screenshot clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

deps:
	@$(call ensure_pkgs,$(APT_DEPS),pkg)
	@$(call ensure_pkgs,$(TOOL_DEPS),cmd)
	@$(call ensure_py)

deps-bench: deps
	@$(call ensure_pkgs,$(BENCH_DEPS),cmd)

build: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)

# Linked like the Dockerfile's build (static Swift runtime), so `make bench` measures the binary
# the image ships: it also starts with ~2 MB less resident memory and serves reads ~10% faster.
# Only the gavel product: GRDB's dynamic library cannot link against a static runtime.
build-release: deps
	$(SWIFT) build -c release --product gavel --static-swift-stdlib $(SWIFT_FLAGS)

run: build
	mkdir -p data
	$(DEBUG_BIN) serve --config $(CONFIG)

# swift test's own output is streamed unfiltered, so its closing summary lines stay visible.
test: build
	$(SWIFT) test --skip-build $(SWIFT_FLAGS)
	scripts/e2e.sh
	scripts/observability.sh $(DEBUG_BIN)
	scripts/fuzz.sh $(DEBUG_BIN)
	scripts/browser_test.sh --bin $(DEBUG_BIN)
	python3 scripts/check_compose.py

e2e:
	scripts/e2e.sh

bench: deps-bench build-release
	scripts/bench.sh

up:
	$(COMPOSE) up -d --build
	@echo "gavel http://localhost:8080  locust http://localhost:8089  grafana http://localhost:3000 (admin/admin)  prometheus http://localhost:9090"

down:
	$(COMPOSE) down

loadtest: deps
	locust --config locust/locust.conf -f locust/locustfile.py,locust/shapes/$(SHAPE).py --headless --host $(URL) --only-summary

screenshot: build
	scripts/browser_test.sh --bin $(DEBUG_BIN) --readme-screenshot Tests/screenshots/demo.png

# Containers and volumes go only where an engine answers; build products and data always.
clean:
	-if docker info >/dev/null 2>&1; then $(COMPOSE) down --volumes --remove-orphans; fi
	rm -rf .build data
