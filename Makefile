# govcloud: every entry point a person or CI uses. Each area keeps its own targets in a
# fragment under mk/ so the parts of the tree can grow without stepping on each other.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
# The project runs on its own pinned Node 24 (the `node` npm package ships the binary),
# whatever Node the machine has.
export PATH := $(ROOT)/node_modules/.bin:$(PATH)
NODE := $(ROOT)/node_modules/.bin/node
STAMP := node_modules/.installed

.PHONY: help deps build typecheck unit crds crds-check test

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): package.json package-lock.json
	@echo "==> installing npm dependencies (pinned Node 24 included)"
	npm ci --no-audit --no-fund --loglevel=error
	@$(NODE) -e 'const [maj]=process.versions.node.split("."); if (+maj !== 24) { console.error("expected Node 24 from the node package, got " + process.version); process.exit(1) }'
	@touch $@

deps: $(STAMP) ## install npm dependencies and the pinned Node

# The operator as it ships: one ES module of the sources and their dependencies
# (operator/bin/bundle.ts says why). The image, `make up`, the e2e suite and the bench run it.
BUNDLE := dist/govcloud.js
$(BUNDLE): $(STAMP) $(shell find operator/bin operator/src -name '*.ts')
	$(NODE) operator/bin/bundle.ts $@

build: $(BUNDLE) ## bundle the govcloud command into dist/govcloud.js (what the image runs)

typecheck: deps ## type-check everything (tsc --noEmit)
	tsc --noEmit -p tsconfig.json

unit: deps ## unit tests (uvu)
	$(NODE) node_modules/uvu/bin.js operator/test '\.test\.ts$$'

crds: deps ## regenerate crds/, the Helm chart's copy and docs/api.md from the API definitions
	$(NODE) operator/bin/generate-crds.ts crds docs/api.md
	@$(MAKE) --no-print-directory chart-crds

crds-check: deps ## fail when crds/ or docs/api.md is stale
	$(NODE) operator/bin/generate-crds.ts --check crds docs/api.md

include $(wildcard mk/*.mk)

test: typecheck lint format-check crds-check unit $(TEST_EXTRA) ## everything CI runs: types, lint, format, CRDs, unit, e2e
