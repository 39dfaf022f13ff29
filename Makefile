# Gavel — developer and CI entry points.
#
#   make build   debug build of the binary and the test bundles
#   make run     build, then serve with config.yaml (embedded SQLite under data/)
#   make test    deps, build, `swift test`, then the end-to-end script against the debug binary
#   make e2e     only the end-to-end script (expects an existing debug build)
#   make bench   release build, then wrk benchmarks (scripts/bench.sh)
#   make deps    install missing system packages (idempotent; apt-get only when needed)
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
APT_DEPS   := libsqlite3-dev
TOOL_DEPS  := curl jq python3
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

.PHONY: help deps deps-bench build build-release run test e2e bench clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

deps:
	@$(call ensure_pkgs,$(APT_DEPS),pkg)
	@$(call ensure_pkgs,$(TOOL_DEPS),cmd)

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
