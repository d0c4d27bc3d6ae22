# Pinned upstream versions for the local platform. Sourced by the build and cluster scripts.
# KUBE_VERSION is the one variable that selects Kubernetes: kube-apiserver,
# kube-controller-manager, kube-scheduler and kubectl are all built from k8s.io/kubernetes at
# that tag. Override from the environment (KUBE_VERSION=v1.36.3 make cluster-build) to try
# another; the wrapper module is then generated outside the repository.
: "${KUBE_VERSION:=v1.37.2}"
# etcd 3.6 (the line Kubernetes documents for production), built from go.etcd.io/etcd/server/v3.
: "${ETCD_VERSION:=v3.6.16}"
# kwok simulates nodes and pod lifecycles; v0.8.0 needs its stages supplied (we ship them).
: "${KWOK_VERSION:=v0.8.0}"
# helm, for the chart issue; cached beside the rest.
: "${HELM_VERSION:=v3.22.0}"

: "${GOVCLOUD_CACHE:=${HOME}/.cache/govcloud}"
GOVCLOUD_BIN="${GOVCLOUD_CACHE}/bin"
export KUBE_VERSION ETCD_VERSION KWOK_VERSION HELM_VERSION GOVCLOUD_CACHE GOVCLOUD_BIN
# The NetworkPolicy enforcer of the real nodes (SIG Network's kube-network-policies), built with
# the patches in patches/kube-network-policies/ (build-enforcer.sh).
: "${KNP_VERSION:=v1.1.1}"
export KNP_VERSION
# cert-manager's controller (the exchange gateways' certificates, issue 15), built from the root
# module github.com/cert-manager/cert-manager through a small main (build/cert-manager/main.go):
# the proxy does not serve upstream's cmd/controller module.
: "${CERT_MANAGER_VERSION:=v1.21.2}"
export CERT_MANAGER_VERSION
