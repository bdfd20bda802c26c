#!/usr/bin/env bash
# Issues the certificates of a node deployed with these manifests, with sarkctl:
#
#   <out>/ca/    the org CA: ca.pem and ca-key.pem (keep ca-key.pem offline)
#   <out>/node/  ca.pem and <role>.pem + <role>-key.pem for federation,
#                discovery, trust, routing, auth and audit
#
# Usage: deploy/k8s/issue-certs.sh ORG OUT_DIR [NAMESPACE]
#   ORG        the org's DNS name, such as orgb.example; the node id is sark.ORG
#   OUT_DIR    directory for the files; an existing CA in OUT_DIR/ca is reused
#   NAMESPACE  Kubernetes namespace of the node (default sark-<first label of ORG>,
#              such as sark-orgb)
#
# Each service certificate carries the names that the other services use to
# reach it (sark-<service>, with and without the namespace suffix) and
# localhost and 127.0.0.1 for the readiness probe inside the pod. The
# federation certificate carries the node id, which partners check. Needs the
# repository's npm dependencies (npm ci) on this machine.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 ORG OUT_DIR [NAMESPACE]" >&2
  exit 64
fi

org="$1"
namespace="${3:-sark-${org%%.*}}"
node_id="sark.$org"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$2"
out="$(cd "$2" && pwd)"

sarkctl() {
  (cd "$repo_root" && npm run --silent sarkctl -- "$@")
}

if [[ -e "$out/ca/ca.pem" ]]; then
  echo "== reusing the CA in $out/ca"
else
  sarkctl pki init --org "$org" --out "$out/ca"
fi

echo "== federation"
sarkctl pki issue --ca-dir "$out/ca" --role federation --node-id "$node_id" \
  --dns localhost --ip 127.0.0.1 --out "$out/node" --force

for role in discovery trust routing auth audit; do
  echo "== $role"
  sarkctl pki issue --ca-dir "$out/ca" --role "$role" --node-id "$node_id" \
    --dns "sark-$role" --dns "sark-$role.$namespace.svc" --dns "sark-$role.$namespace.svc.cluster.local" \
    --dns localhost --ip 127.0.0.1 --out "$out/node" --force
done
cp "$out/ca/ca.pem" "$out/node/ca.pem"

cat <<EOF
== done. Create the Secret that the Deployments mount:
kubectl -n $namespace create secret generic sark-tls --from-file=$out/node
EOF
