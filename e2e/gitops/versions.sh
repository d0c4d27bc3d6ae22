# Pinned Flux controllers (Flux 2.7 line, Go 1.26). Sourced by build.sh and flux.sh.
# source-controller v1.9.5 and v1.9.6 need github.com/fluxcd/pkg/artifact v0.18.3, which the
# module proxy reachable here does not serve; v1.9.0 takes v0.18.0, which it does.
: "${FLUX_SOURCE_CONTROLLER_VERSION:=v1.9.0}"
: "${FLUX_KUSTOMIZE_CONTROLLER_VERSION:=v1.9.6}"
export FLUX_SOURCE_CONTROLLER_VERSION FLUX_KUSTOMIZE_CONTROLLER_VERSION
