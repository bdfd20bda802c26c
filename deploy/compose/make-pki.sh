#!/usr/bin/env bash
# Creates the certificates of the compose demo with sarkctl, for orga.example
# and orgb.example:
#
#   <out>/<org>/ca/        the org CA: ca.pem and ca-key.pem (never mounted)
#   <out>/<org>/node/      ca.pem and <role>.pem + <role>-key.pem for federation,
#                          discovery, trust, routing, auth and audit
#   <out>/<org>/operator/  operator-admin.pem + operator-admin-key.pem, for grpcurl
#   <out>/<org>/bundles/   the partner org's ca.pem, as <partner org>.pem
#
# Usage: deploy/compose/make-pki.sh [OUT_DIR]   (default: deploy/compose/pki)
#
# An org whose CA exists is kept, because pki init never replaces a CA; delete
# its directory to issue everything again. Needs the repository's npm
# dependencies (npm ci) on this machine.
#
# The containers run as a non-root user and the private keys have mode 0600,
# so the container user must own them. For the default OUT_DIR the script
# writes deploy/compose/.env with SARK_UID and SARK_GID, which compose.yaml
# uses as the container user: the invoking user, or uid 1000 (the image's
# `node` user) with the files handed to it when run as root.
set -euo pipefail

compose_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$compose_dir/../.." && pwd)"
default_out="$compose_dir/pki"
out="${1:-$default_out}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

roles=(federation discovery trust routing auth audit)

sarkctl() {
  (cd "$repo_root" && npm run --silent sarkctl -- "$@")
}

# make_org ORG HOST: creates the CA and certificates of ORG, whose node
# container is reached as HOST on the compose network and as localhost from
# this machine.
make_org() {
  local org="$1" host="$2"
  local dir="$out/$org"

  if [[ -e "$dir/ca/ca.pem" ]]; then
    echo "== $org: $dir/ca/ca.pem exists, keeping the certificates of $org"
    return
  fi

  echo "== $org: CA"
  sarkctl pki init --org "$org" --out "$dir/ca"
  for role in "${roles[@]}"; do
    echo "== $org: $role"
    sarkctl pki issue --ca-dir "$dir/ca" --role "$role" --node-id "sark.$org" \
      --dns "$host" --dns localhost --ip 127.0.0.1 --out "$dir/node"
  done
  echo "== $org: operator/admin"
  sarkctl pki issue --ca-dir "$dir/ca" --role operator/admin --out "$dir/operator"
  cp "$dir/ca/ca.pem" "$dir/node/ca.pem"
}

# share_bundle FROM TO: copies the CA certificate of FROM to the bundles of TO,
# as an out-of-band exchange of trust bundles would.
share_bundle() {
  local from="$1" to="$2"

  mkdir -p "$out/$to/bundles"
  cp "$out/$from/ca/ca.pem" "$out/$to/bundles/$from.pem"
}

# write_container_user: hands the node files to the container user and
# records that user in deploy/compose/.env.
write_container_user() {
  local uid gid

  if [[ "$(id -u)" -eq 0 ]]; then
    uid="${SARK_UID:-1000}"
    gid="${SARK_GID:-1000}"
    chown -R "$uid:$gid" "$out"/*/node "$out"/*/bundles
  else
    uid="$(id -u)"
    gid="$(id -g)"
  fi

  printf 'SARK_UID=%s\nSARK_GID=%s\n' "$uid" "$gid" >"$compose_dir/.env"
  echo "== containers run as $uid:$gid (written to $compose_dir/.env)"
}

make_org orga.example orga-node
make_org orgb.example orgb-node
share_bundle orga.example orgb.example
share_bundle orgb.example orga.example

if [[ "$out" == "$default_out" ]]; then
  write_container_user
fi

echo "== done: certificates under $out"
