#!/usr/bin/env bash
# Regenerates libs/proto from protos/: TypeScript stubs with ts-proto, and the
# FileDescriptorSet that server reflection serves. The set also contains the
# gRPC health and reflection protos, taken from the npm packages that
# implement them, so reflection describes every service a server registers.
set -euo pipefail
cd "$(dirname "$0")/.."

out=libs/proto/src
rm -rf "$out/gen"
npx buf generate --template buf.gen.yaml protos

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx buf build protos --as-file-descriptor-set -o "$tmp/sark.binpb"
npx buf build node_modules/grpc-health-check/proto --as-file-descriptor-set -o "$tmp/health.binpb"
for version in v1 v1alpha; do
  npx buf build node_modules/@grpc/reflection/build/proto --path "node_modules/@grpc/reflection/build/proto/grpc/reflection/$version/reflection.proto" --as-file-descriptor-set -o "$tmp/reflection-$version.binpb"
done
# Concatenated FileDescriptorSet messages decode as one set, because their
# only field is repeated.
cat "$tmp/sark.binpb" "$tmp/health.binpb" "$tmp/reflection-v1.binpb" "$tmp/reflection-v1alpha.binpb" > "$out/descriptor-set.binpb"
