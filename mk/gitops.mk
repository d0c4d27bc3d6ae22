# Flux applying a GitOps repository to the local platform's hub (issue 16): source-controller
# and kustomize-controller built from the Go module proxy, run as processes with their own
# ServiceAccounts, a Git server on loopback. See docs/gitops-flux.md.
GITOPS_DIR := e2e/gitops

.PHONY: gitops-build gitops-up gitops-down gitops-status e2e-gitops

gitops-build: ## build (or find cached) Flux's source-controller and kustomize-controller
	bash $(GITOPS_DIR)/build.sh

gitops-up: deps ## start Flux on the local hub (needs cluster-up): Git server, source- and kustomize-controller
	NODE=$(NODE) bash $(GITOPS_DIR)/flux.sh up

gitops-down: ## stop Flux's processes on the local platform
	bash $(GITOPS_DIR)/flux.sh down

gitops-status: ## Flux's processes and its view: GitRepositories and Kustomizations
	@bash $(GITOPS_DIR)/flux.sh status || true

# Not part of `make test`: a cold build of the two controllers took 46 min on this machine
# (2 cores, load ~20), which with the rest (~27 min cold) passes the 60-minute budget. Named
# *.e2e.ts so `make e2e` does not pick it up. Reuses a running platform, else needs cluster-up.
e2e-gitops: deps gitops-build ## e2e of Flux applying merged commits (e2e/gitops/flux.e2e.ts; needs cluster-up)
	$(NODE) operator/bin/bundle.ts
	$(NODE) node_modules/uvu/bin.js e2e/gitops 'flux\.e2e\.ts$$'
