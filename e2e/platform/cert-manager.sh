# cert-manager on the local platform (issue 15), sourced by up.sh after its functions are defined
# and by status.sh: per cluster upstream's CRDs, cert-manager's controller (built from the root
# module, build/cert-manager) and the ClusterIssuer govcloud-platform-ca, a CA issuer holding the
# platform's exchange CA. The exchange CA (pki/exchange-ca.*) signs the gateways' certificates
# only; it is not the CA the API servers trust.
#
# On by default, so `make test` proves the gateways' certificates with upstream's issuer (its
# cold build: docs/local-platform.md, "cert-manager"). CERT_MANAGER=0 leaves it out, and stops
# the controllers on a platform that runs them.

CERT_MANAGER_STATE=$STATE/cert-manager
: "${CERT_MANAGER:=1}"
CERT_MANAGER_NAMESPACE=cert-manager
EXCHANGE_ISSUER=govcloud-platform-ca
# What the exchange needs of upstream's controllers: the Certificate pipeline, the approver (a
# CertificateRequest is signed only once approved) and the CA signer, the issuers' readiness.
CERT_MANAGER_CONTROLLERS=certificates-trigger,certificates-key-manager,certificates-request-manager,certificates-issuing,certificates-readiness,certificates-revision-manager,certificaterequests-approver,certificaterequests-issuer-ca,issuers,clusterissuers

cert_manager_clusters() { ((CERT_MANAGER)) && echo "${CLUSTERS[@]}"; return 0; }

exchange_ca() {
  [[ -f $PKI/exchange-ca.crt ]] && return 0
  log "generating the exchange CA in $PKI/exchange-ca.crt (ClusterIssuer $EXCHANGE_ISSUER of every cluster)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/exchange-ca.key" \
    -out "$PKI/exchange-ca.crt" -days 3650 -sha256 -subj "/O=govcloud/CN=govcloud-exchange-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

issuer_manifest() {
  cat <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $CERT_MANAGER_NAMESPACE
---
apiVersion: v1
kind: Secret
metadata:
  name: $EXCHANGE_ISSUER
  namespace: $CERT_MANAGER_NAMESPACE
type: kubernetes.io/tls
data:
  tls.crt: $(b64 "$PKI/exchange-ca.crt")
  tls.key: $(b64 "$PKI/exchange-ca.key")
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: $EXCHANGE_ISSUER
spec:
  ca:
    secretName: $EXCHANGE_ISSUER
EOF
}

issuer_ready() { # issuer_ready C
  [[ $(kubectl_admin "$1" get clusterissuer "$EXCHANGE_ISSUER" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# The running controller of C talks to the API server's current port (a restarted API server
# gets a new one).
cert_manager_current() { # cert_manager_current C
  grep -qF "server: https://127.0.0.1:$(read_port "$1-apiserver")" "$STATE/$1/cert-manager.kubeconfig" 2>/dev/null
}

start_cert_manager() {
  local clusters c crds pid
  clusters=$(cert_manager_clusters)
  if [[ -z $clusters ]]; then
    log "cert-manager: not started (CERT_MANAGER=0)"
    stop_cert_manager
    return 0
  fi
  "$here/build.sh" cert-manager
  crds=$("$here/build.sh" --print-path cert-manager-crds)
  local t1=$SECONDS
  exchange_ca
  mkdir -p "$CERT_MANAGER_STATE"
  printf '%s\n' $clusters >"$CERT_MANAGER_STATE/clusters"
  for c in $clusters; do
    kubectl_admin "$c" apply --server-side --force-conflicts --field-manager=govcloud-platform -f "$crds" >/dev/null ||
      { FAILED=$c-apiserver; die "$c: applying cert-manager's CRDs ($crds) failed"; }
  done
  for c in $clusters; do
    kubectl_admin "$c" wait --for=condition=Established --timeout=60s -f "$crds" >/dev/null ||
      { FAILED=$c-apiserver; die "$c: cert-manager's CRDs not Established within 60 s"; }
    kubectl_admin "$c" apply --server-side --force-conflicts --field-manager=govcloud-platform -f - >/dev/null < <(issuer_manifest) ||
      { FAILED=$c-apiserver; die "$c: creating the exchange CA's Secret and ClusterIssuer failed"; }
    if pid=$(alive_pid "$c-cert-manager") && cert_manager_current "$c"; then
      log "$c: cert-manager running (pid $pid), reused"
      continue
    fi
    stop_component "$c-cert-manager"
    sign "$c-cert-manager" "/O=system:masters/CN=govcloud-cert-manager-$c" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
    write_kubeconfig "$STATE/$c/cert-manager.kubeconfig" cert-manager cert-manager "$c"
    log "$c: cert-manager $CERT_MANAGER_VERSION starting"
    launch "$c-cert-manager" "$(bin cert-manager)" --kubeconfig="$STATE/$c/cert-manager.kubeconfig" \
      --cluster-resource-namespace="$CERT_MANAGER_NAMESPACE" --leader-elect=false \
      --controllers="$CERT_MANAGER_CONTROLLERS" --v=2
  done
  for c in $clusters; do
    wait_until "$c-cert-manager" 180 issuer_ready "$c" ||
      { FAILED=$c-cert-manager; die "$c: ClusterIssuer $EXCHANGE_ISSUER not Ready within 180 s"; }
  done
  log "cert-manager: ClusterIssuer $EXCHANGE_ISSUER Ready in $(echo $clusters) ($((SECONDS - t1)) s)"
}

# CERT_MANAGER=0 on a platform that runs it: stop the controllers (the CRDs and objects stay).
stop_cert_manager() {
  [[ -f $CERT_MANAGER_STATE/clusters ]] || return 0
  local c
  for c in $(<"$CERT_MANAGER_STATE/clusters"); do stop_component "$c-cert-manager"; done
  rm -f "$CERT_MANAGER_STATE/clusters"
  log "cert-manager: stopped"
}

cert_manager_status() { # for status.sh: a row per controller, the ClusterIssuer's readiness
  [[ -f $CERT_MANAGER_STATE/clusters ]] || { echo "cert-manager: not running (started with CERT_MANAGER=0)"; return 0; }
  echo "cert-manager $CERT_MANAGER_VERSION (ClusterIssuer $EXCHANGE_ISSUER, CA $PKI/exchange-ca.crt)"
  local c r
  for c in $(<"$CERT_MANAGER_STATE/clusters"); do
    row "$c-cert-manager"
    r=$("$(bin kubectl)" --kubeconfig="$KUBECONFIGS_DIR/$c.yaml" get clusterissuer "$EXCHANGE_ISSUER" \
      -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)
    echo "    ClusterIssuer $EXCHANGE_ISSUER Ready: ${r:-unknown}"
  done
}
