#!/usr/bin/env bash
# Installs (once, into the ignored .tools/ folder) and starts a local Azurite blob service for manual use, printing the
# connection string the output store needs. Runs in the foreground; Ctrl-C stops it.
#   infra/azurite.sh [port]            in memory (default port 10000)
#   AZURITE_LOCATION=/data/azurite infra/azurite.sh   keep blobs on disk in that folder
set -euo pipefail
cd "$(dirname "$0")/.."

port="${1:-${AZURITE_PORT:-10000}}"
bin=".tools/node_modules/.bin/azurite-blob"
if [ ! -e "$bin" ]; then
  echo "installing azurite 3.37.0 into .tools/ (about a minute) ..." >&2
  npm install --no-save --prefix .tools azurite@3.37.0 >&2
fi

if [ -n "${AZURITE_LOCATION:-}" ]; then
  mkdir -p "$AZURITE_LOCATION"
  storage=(--location "$AZURITE_LOCATION")
else
  storage=(--inMemoryPersistence)
fi

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;"
cat <<INFO
Azurite blob service on http://127.0.0.1:${port} (${storage[*]})
Connection string:
  ${conn}
Output store settings (environment form):
  export OutputStore__Kind=azure-blob
  export OutputStore__ConnectionString='${conn}'
  export OutputStore__Container=rae-outputs
INFO

# Azurite 3.37 on node 20 closes its server on SIGINT/SIGTERM but the node process does not exit, so stop it here:
# TERM, a grace period, then KILL.
"$bin" --blobHost 127.0.0.1 --blobPort "$port" "${storage[@]}" --loose &
pid=$!
stop() {
  trap - INT TERM
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  exit 0
}
trap stop INT TERM
wait "$pid"
