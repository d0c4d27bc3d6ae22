# Flux applying a GitOps repository to the local platform's hub (issue 16): source-controller
# and kustomize-controller built from the Go module proxy, run as processes with their own
# ServiceAccounts, a Git server on loopback. See docs/gitops-flux.md.
GITOPS_DIR := e2e/gitops

.PHONY: gitops-build gitops-up gitops-down gitops-status

gitops-build: ## build (or find cached) Flux's source-controller and kustomize-controller
	bash $(GITOPS_DIR)/build.sh

gitops-up: deps ## start Flux on the local hub (needs cluster-up): Git server, source- and kustomize-controller
	NODE=$(NODE) bash $(GITOPS_DIR)/flux.sh up

gitops-down: ## stop Flux's processes on the local platform
	bash $(GITOPS_DIR)/flux.sh down

gitops-status: ## Flux's processes and its view: GitRepositories and Kustomizations
	@bash $(GITOPS_DIR)/flux.sh status || true

# The e2e suite includes e2e/gitops/flux.test.ts: build Flux before it, with its own progress
# lines, rather than inside the suite's first hook.
e2e: gitops-build
