# Installing govcloud (issue 6): the Helm chart charts/govcloud-operator, the Pulumi program in
# pulumi/, the operator image (Dockerfile). See docs/install.md.
# The chart's and the Pulumi program's unit tests live in operator/test/install and run with
# `make unit` (helm comes from e2e/platform/build.sh's cache, built there if missing); the
# chart's e2e test (e2e/install/chart.test.ts) runs with `make e2e`.
CHART := charts/govcloud-operator

.PHONY: chart-crds chart-lint chart-template install-test pulumi-build e2e-pulumi image-check
TEST_EXTRA += image-check

chart-crds: ## copy crds/ into the Helm chart (after `make crds`; a unit test fails while they differ)
	rm -f $(CHART)/crds/*.yaml
	mkdir -p $(CHART)/crds
	cp crds/*.yaml $(CHART)/crds/

chart-lint: ## helm lint --strict the chart
	bash e2e/platform/build.sh helm
	"$$(bash e2e/platform/build.sh --print-path helm)" lint --strict $(CHART)

chart-template: ## print what the chart renders with its defaults (CRDs included)
	@bash e2e/platform/build.sh helm >&2
	@"$$(bash e2e/platform/build.sh --print-path helm)" template govcloud $(CHART) --include-crds

install-test: deps ## only the install unit tests: chart, RBAC, schema, Pulumi program under mocks
	$(NODE) node_modules/uvu/bin.js operator/test/install '\.test\.ts$$'

pulumi-build: deps ## build (or find cached) the Pulumi CLI and Kubernetes provider from Go modules
	NODE=$(NODE) bash e2e/install/build-pulumi.sh

e2e-pulumi: deps ## real pulumi preview + up + no-op up against the local hub (builds the CLI and provider first)
	NODE=$(NODE) bash e2e/install/run-pulumi-e2e.sh

image-check: build ## the operator image's files (the bundle and its list of rights) run as user 10001 on a read-only /app (no Docker here)
	NODE=$(NODE) bash e2e/install/image-check.sh
