# Gavel — developer and CI entry points.
#
#   make build   debug build of the binary and the test bundles
#   make run     build, then serve with config.yaml (embedded SQLite under data/)
#   make test    deps, build, `swift test`, then the end-to-end script against the debug binary
#   make e2e     only the end-to-end script (expects an existing debug build)
#   make bench   release build, then wrk benchmarks (scripts/bench.sh)
#   make deps    install missing system and Python packages (idempotent; quiet when present)
#   make clean   remove build products and local data
#
# Works as root on a fresh Debian 12 with Swift preinstalled (uses sudo when not root).
# Compose targets (up, down, loadtest) are added later; `clean` will then also remove
# containers and volumes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

SWIFT       ?= swift
CONFIG      ?= config.yaml
SWIFT_FLAGS ?=
DEBUG_BIN   := .build/debug/gavel
RELEASE_BIN := .build/release/gavel

# System packages: libsqlite3-dev is needed to compile GRDB; curl, jq and python3 are used by
# scripts/e2e.sh (python3 also mints JWTs); wrk only by the benchmark.
# Python modules: pyotp is the independent TOTP implementation scripts/e2e.sh checks 2FA with.
APT_DEPS   := libsqlite3-dev
TOOL_DEPS  := curl jq python3
PY_DEPS    := pyotp
BENCH_DEPS := wrk

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || command -v sudo 2>/dev/null)

# $(call ensure_pkgs,PACKAGES,CHECK) — install the Debian packages whose check fails.
# CHECK is `pkg` (dpkg -s, for libraries) or `cmd` (command -v, for tools).
# `apt-get update` runs only when something is actually missing.
define ensure_pkgs
	missing=""; \
	for p in $(1); do \
	  if [ "$(2)" = pkg ]; then dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; \
	  else command -v "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

# $(call ensure_py,MODULES) — pip-install the Python modules that `python3` cannot import.
# Where pip is missing or refuses (a Debian python3 is "externally managed", PEP 668), falls
# back to Debian's python3-MODULE package. Prints nothing when every module is importable.
define ensure_py
	for m in $(1); do \
	  python3 -c "import $$m" >/dev/null 2>&1 && continue; \
	  echo "deps: installing Python package $$m"; \
	  pip_err=$$(mktemp); \
	  if ! python3 -m pip install --quiet --disable-pip-version-check "$$m" 2>"$$pip_err"; then \
	    echo "deps: pip could not install $$m ($$(grep -m1 -i error "$$pip_err" || tail -n 1 "$$pip_err")); trying python3-$$m"; \
	    $(SUDO) apt-get update -qq; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "python3-$$m"; \
	  fi; \
	  rm -f "$$pip_err"; \
	  python3 -c "import $$m" || { echo "deps: python3 still cannot import $$m" >&2; exit 1; }; \
	done
endef

.PHONY: help deps deps-bench build build-release run test e2e bench clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

deps:
	@$(call ensure_pkgs,$(APT_DEPS),pkg)
	@$(call ensure_pkgs,$(TOOL_DEPS),cmd)
	@$(call ensure_py,$(PY_DEPS))

deps-bench: deps
	@$(call ensure_pkgs,$(BENCH_DEPS),cmd)

build: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)

build-release: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

run: build
	mkdir -p data
	$(DEBUG_BIN) serve --config $(CONFIG)

# swift test's own output is streamed unfiltered, so its closing summary lines stay visible.
test: build
	$(SWIFT) test --skip-build $(SWIFT_FLAGS)
	scripts/e2e.sh

e2e:
	scripts/e2e.sh

bench: deps-bench build-release
	scripts/bench.sh

clean:
	rm -rf .build data
