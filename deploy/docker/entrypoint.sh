#!/bin/sh
# Starts the SARK app named by APP with the configuration file in
# SARK_CONFIG (default /etc/sark/sark.yaml). Arguments are passed to the app.
set -eu

app="${APP:-node}"
case "$app" in
  node | discovery | trust | routing | auth | audit) ;;
  *)
    echo "entrypoint: invalid APP=$app; set it to node, discovery, trust, routing, auth or audit" >&2
    exit 64
    ;;
esac

# The repository root: /app in the image.
cd "$(dirname "$0")/../.."
# exec makes Node PID 1, so SIGTERM from docker stop or the kubelet reaches
# the app, which then shuts its servers down gracefully.
exec node --conditions=development --import tsx "apps/$app/src/main.ts" --config "${SARK_CONFIG:-/etc/sark/sark.yaml}" "$@"
