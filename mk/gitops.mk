# Flux applying a GitOps repository to the local platform's hub (issue 16): source-controller
# and kustomize-controller built from the Go module proxy, run as processes with their own
# ServiceAccounts, a Git server on loopback. See docs/gitops-flux.md.
GITOPS_DIR := e2e/gitops

.PHONY: gitops-build gitops-up gitops-down gitops-samples gitops-status e2e-gitops

gitops-build: ## build (or find cached) Flux's source-controller and kustomize-controller
	bash $(GITOPS_DIR)/build.sh

gitops-up: deps ## start Flux on the local hub (needs cluster-up): Git server, source- and kustomize-controller
	NODE=$(NODE) bash $(GITOPS_DIR)/flux.sh up

gitops-down: ## stop Flux's processes on the local platform
	bash $(GITOPS_DIR)/flux.sh down

# `make up GITOPS=1` runs this after the operator starts: the DataCentres are the platform
# team's (register applied them), the tenants come from samples/gitops through Flux.
gitops-samples: gitops-up ## serve samples/gitops (the template's layout) as repository "agencies" and let Flux apply it; waits until Ready
	NODE=$(NODE) bash $(GITOPS_DIR)/flux.sh sync samples/gitops agencies

gitops-status: ## Flux's processes and its view: GitRepositories and Kustomizations
	@bash $(GITOPS_DIR)/flux.sh status || true

# Flux's e2e in `make test`: it runs inside `make e2e` (one platform start, one bundle), after
# gitops-build. THE SWITCH is the next line: delete it (or `make test E2E_WITH_GITOPS=`) and
# `make e2e` leaves flux.e2e.ts out again (named *.e2e.ts so the plain pattern skips it). Warm,
# it adds the suite's own time (docs/gitops-flux.md); a cold build of the two controllers costs
# 15.4 CPU-minutes (docs/gitops-flux.md, "Tests and measurements").
E2E_WITH_GITOPS := 1
e2e: $(if $(E2E_WITH_GITOPS),gitops-build)

# Alone, against a running platform (make cluster-up first).
e2e-gitops: deps gitops-build ## e2e of Flux applying merged commits (e2e/gitops/flux.e2e.ts; needs cluster-up)
	$(NODE) operator/bin/bundle.ts
	$(NODE) node_modules/uvu/bin.js e2e/gitops 'flux\.e2e\.ts$$'
