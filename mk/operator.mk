# The operator (issue 4): `make up` brings a fresh machine to a running govcloud: the local
# platform (three clusters), the CRDs, govcloud-system with the members' kubeconfig Secrets,
# the three DataCentres, the operator in the background, samples/ applied, every Agency
# Ready. Idempotent: what runs is reused. See docs/operations.md.
OPERATOR_LOCAL := e2e/operator/local.sh

.PHONY: up down status operator-start operator-stop operator-restart operator-logs dashboard-start

# GITOPS=1: the tenants come through Flux instead (mk/gitops.mk, docs/gitops-flux.md).
up: build cluster-up ## the whole local govcloud: clusters, CRDs, data centres, operator, samples; waits for every Agency Ready (GITOPS=1: samples through Flux)
	@NODE=$(NODE) bash $(OPERATOR_LOCAL) register
	@NODE=$(NODE) bash $(OPERATOR_LOCAL) start
	@if [ "$(GITOPS)" = 1 ]; then $(MAKE) --no-print-directory gitops-samples; else NODE=$(NODE) bash $(OPERATOR_LOCAL) samples; fi
	@NODE=$(NODE) bash $(OPERATOR_LOCAL) wait
	@NODE=$(NODE) bash $(OPERATOR_LOCAL) dashboard
	@NODE=$(NODE) bash $(OPERATOR_LOCAL) summary

down: ## stop the operator and the dashboard, then the local platform
	@bash $(OPERATOR_LOCAL) stop
	@bash $(PLATFORM)/down.sh

status: ## the operator (pid, port, readiness), the DataCentres and Agencies, then the platform's processes
	@bash $(OPERATOR_LOCAL) status
	@bash $(PLATFORM)/status.sh || true

operator-start: build ## start (or reuse) the operator on the running local platform, without applying samples
	@NODE=$(NODE) bash $(OPERATOR_LOCAL) register
	@NODE=$(NODE) bash $(OPERATOR_LOCAL) start

operator-stop: ## stop the background operator (SIGTERM: it finishes its work and releases its lease)
	@bash $(OPERATOR_LOCAL) stop

operator-restart: operator-stop operator-start ## restart the background operator (after changing its code)

dashboard-start: build ## start (or reuse) the dashboard on the running local platform, and print where it is
	@NODE=$(NODE) bash $(OPERATOR_LOCAL) dashboard

operator-logs: ## follow the background operator's JSON log
	tail -f .local/operator.log
