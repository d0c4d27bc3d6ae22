# The local multi-data-centre platform (issue 3): upstream Kubernetes, etcd and kwok built
# from source and run as plain processes on 127.0.0.1. See docs/local-platform.md.
PLATFORM := e2e/platform
TEST_EXTRA += e2e

.PHONY: cluster-build cluster-up cluster-down cluster-status e2e kind-up kind-down

cluster-build: ## build (or find cached) kube-apiserver, -controller-manager, -scheduler, kubectl, etcd, kwok, helm, kube-network-policies
	bash $(PLATFORM)/build.sh
	bash $(PLATFORM)/build.sh kube-network-policies

cluster-up: deps ## start (or reuse) the local clusters dc-hanoi (hub), dc-hcm, dc-danang (CLUSTERS=N: N of them, then dc-4...), each with a real node (REAL_NODES=0: without), and cert-manager (CERT_MANAGER=0: without)
	$(if $(CLUSTERS),GOVCLOUD_CLUSTER_COUNT=$(CLUSTERS)) bash $(PLATFORM)/up.sh

cluster-down: ## stop every process of the local platform, remove its network namespaces
	bash $(PLATFORM)/down.sh

cluster-status: ## what of the local platform runs: pids, ports, versions, logs
	@bash $(PLATFORM)/status.sh || true

e2e: deps ## e2e suite; starts (and afterwards stops) the local platform unless one runs or GOVCLOUD_KUBECONFIG is set
	NODE=$(NODE) E2E_FILES='$(if $(E2E_WITH_GITOPS),(\.test|flux\.e2e)\.ts$$,\.test\.ts$$)' bash $(PLATFORM)/run-e2e.sh

# Not runnable here (no Docker engine): the same three clusters as kind clusters, for machines
# that have Docker. Then: GOVCLOUD_KUBECONFIG=.local/kind-kubeconfig make e2e
kind-up: ## three kind clusters from e2e/kind/ (needs Docker and kind; not run on this machine)
	bash e2e/kind/up.sh

kind-down: ## delete the kind clusters of kind-up
	bash e2e/kind/down.sh
