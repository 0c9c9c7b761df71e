#!/usr/bin/env bash
# A multi-silo RAE grid on this machine, for trying the cluster by hand: the cluster backend (Redis or PostgreSQL:
# membership, job state, reminders), Azurite (the blob output store) and N `rae-grid serve` processes on loopback, like
# the multi-process tests (tests/Grid.Tests/MultiProcess). By default silo a hosts the encoder, diffusion and verifier
# stages and silo b the decoder and text (prompt → condition) stages, so every item crosses processes. Runs in the
# foreground and prints where each silo's health, metrics and dashboard are and how to submit jobs; Ctrl-C stops
# everything it started.
#
#   infra/local-cluster.sh                                  Redis, silos a and b, default ports (below)
#   BACKEND=postgres infra/local-cluster.sh                 PostgreSQL instead of Redis
#   SILOS="a:encoder,diffusion b:decoder,text,verifier c:diffusion p:none" infra/local-cluster.sh
#                                                           name:stages per silo ("none": a pipeline-only silo)
#   REDIS_PORT=6390 POSTGRES_PORT=5440 AZURITE_PORT=10010 BASE_PORT_OFFSET=100 infra/local-cluster.sh
#   CONFIGURATION=Release infra/local-cluster.sh
#
# Silo i (0, 1, ...) gets silo port 11111+i, gateway 30000+i, health 8081+i, metrics (/metrics) 9464+i and, when the
# CLI has `serve --dashboard`, dashboard 8181+i; BASE_PORT_OFFSET shifts them all.
#
# Needs: the .NET SDK, node + npm (Azurite is installed into .tools/), and redis-server (apt-get install -y
# redis-server) or PostgreSQL (apt-get install -y postgresql; its binaries are found under /usr/lib/postgresql).
# Logs and state go to out/local-cluster/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

configuration="${CONFIGURATION:-Debug}"
backend="${BACKEND:-redis}"
silo_specs="${SILOS:-a:encoder,diffusion,verifier b:decoder,text}"
offset="${BASE_PORT_OFFSET:-0}"
redis_port="${REDIS_PORT:-6379}"
# Not 5432: a Debian postgresql package starts its own cluster there.
postgres_port="${POSTGRES_PORT:-5433}"
azurite_port="${AZURITE_PORT:-10000}"
container="${CONTAINER:-rae-outputs}"
work="$repo/out/local-cluster"
cli="$repo/Cli/bin/$configuration/net10.0/rae-grid.dll"

case "$backend" in
  redis) command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install -y redis-server" >&2; exit 1; } ;;
  postgres)
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$pg_bin" ] && [ -x "$pg_bin/postgres" ] || { echo "PostgreSQL not found under /usr/lib/postgresql: apt-get install -y postgresql" >&2; exit 1; } ;;
  *) echo "BACKEND must be redis or postgres, not '$backend'" >&2; exit 1 ;;
esac
if [ ! -e .tools/node_modules/.bin/azurite-blob ]; then
  echo "installing azurite 3.37.0 into .tools/ (about a minute) ..." >&2
  npm install --no-save --prefix .tools azurite@3.37.0 >&2
fi
if [ ! -f "$cli" ]; then
  echo "building the rae-grid CLI ($configuration) ..." >&2
  dotnet build Cli -c "$configuration" >&2
fi

mkdir -p "$work"
services=()  # redis or postgres, azurite
silos=()     # rae-grid serve
terminate() { # terminate <grace seconds> <pid>...: SIGTERM, wait, then SIGKILL what is left
  local grace=$1; shift
  [ $# -eq 0 ] && return 0
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq $((grace * 10))); do
    local alive=0; for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0; sleep 0.1
  done
  kill -KILL "$@" 2>/dev/null || true
}
stop() {
  trap - INT TERM EXIT
  echo "stopping ..." >&2
  # Silos first, while the backend still runs: SIGTERM drains their stages and leaves the cluster (a few seconds).
  # Then the services; Azurite on node 20 may ignore SIGTERM, hence the SIGKILL after the grace period.
  terminate 30 "${silos[@]}"
  terminate 5 "${services[@]}"
  exit 0
}
trap stop INT TERM EXIT

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 seconds=$2; shift 2
  for _ in $(seq $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "$what did not come up within ${seconds} s; see $work/*.log" >&2
  return 1
}

if [ "$backend" = redis ]; then
  # Durable as production must be (infra/redis.conf: AOF on, fsync every second), its data under $work/redis, so a
  # restarted cluster resumes its jobs.
  mkdir -p "$work/redis"
  redis-server "$repo/infra/redis.conf" --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" >"$work/redis.log" 2>&1 &
  services+=($!)
  wait_for "redis on 127.0.0.1:$redis_port" 20 redis-cli -h 127.0.0.1 -p "$redis_port" ping
  backend_conn="127.0.0.1:${redis_port}"
  backend_what="redis    $backend_conn            (membership, job state, reminders; AOF in $work/redis)"
else
  # Data under $work/postgres (kept, like Redis's AOF: a restarted cluster resumes its jobs). PostgreSQL refuses to run
  # as root: then it runs as the postgres user (setpriv execs, so the pid we stop is the server's).
  as_pg=(); [ "$(id -u)" = 0 ] && as_pg=(setpriv --reuid postgres --regid postgres --init-groups)
  if [ ! -s "$work/postgres/PG_VERSION" ]; then
    mkdir -p "$work/postgres"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$work/postgres"
    "${as_pg[@]}" "$pg_bin/initdb" -D "$work/postgres" -U raegrid --auth=trust --encoding=UTF8 >"$work/initdb.log" 2>&1
  fi
  "${as_pg[@]}" "$pg_bin/postgres" -D "$work/postgres" -p "$postgres_port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories= >"$work/postgres.log" 2>&1 &
  services+=($!)
  wait_for "postgres on 127.0.0.1:$postgres_port" 30 "$pg_bin/pg_isready" -h 127.0.0.1 -p "$postgres_port"
  export PGOPTIONS="-c client_min_messages=warning"  # no NOTICEs from the scripts
  psql_=("$pg_bin/psql" -h 127.0.0.1 -p "$postgres_port" -U raegrid -v ON_ERROR_STOP=1 -q)
  "${psql_[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'raegrid'" | grep -q 1 \
    || "${psql_[@]}" -d postgres -c "CREATE DATABASE raegrid"
  # The Orleans ADO.NET schema (infra/postgres/), once: Main first, then each capability.
  if [ "$("${psql_[@]}" -d raegrid -tAc "SELECT to_regclass('orleansquery') IS NOT NULL")" != t ]; then
    for f in Main Clustering Persistence Reminders; do "${psql_[@]}" -d raegrid -f "$repo/infra/postgres/PostgreSQL-$f.sql" >/dev/null; done
  fi
  backend_conn="Host=127.0.0.1;Port=${postgres_port};Database=raegrid;Username=raegrid"
  backend_what="postgres $backend_conn   (membership, job state, reminders; data in $work/postgres)"
fi

# Blobs on disk under $work/azurite, like the job state in Redis: a restart keeps both.
mkdir -p "$work/azurite"
.tools/node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$azurite_port" --location "$work/azurite" --loose \
  >"$work/azurite.log" 2>&1 &
services+=($!)
wait_for "azurite on 127.0.0.1:$azurite_port" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$azurite_port"

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
blob_conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:${azurite_port}/devstoreaccount1;"
if [ "$backend" = redis ]; then backend_env=(RAEGRID_Cluster__Redis="$backend_conn"); client_args="--cluster redis --redis $backend_conn"
else backend_env=(RAEGRID_Cluster__Postgres="$backend_conn"); client_args="--cluster postgres --postgres \"$backend_conn\""; fi
# The dashboard (`serve --dashboard`, port Dashboard:Port) where this CLI has it.
dashboard=0; dotnet "$cli" serve --help 2>/dev/null | grep -q -- --dashboard && dashboard=1

start_silo() { # start_silo <name> <index> <stages: comma-separated, or none>
  local name=$1 index=$2 list=$3 i=0 stages=() serve_args=()
  local silo_port=$((11111 + offset + index)) gateway_port=$((30000 + offset + index))
  local health_port=$((8081 + offset + index)) metrics_port=$((9464 + offset + index)) dashboard_port=$((8181 + offset + index))
  if [ "$list" = none ]; then stages=(RAEGRID_Grid__Stages=none)
  else for s in ${list//,/ }; do stages+=("RAEGRID_Grid__Stages__$i=$s"); i=$((i + 1)); done; fi
  [ "$dashboard" = 1 ] && serve_args=(--dashboard)
  env RAEGRID_Cluster__Mode="$backend" "${backend_env[@]}" \
      RAEGRID_Cluster__SiloPort="$silo_port" RAEGRID_Cluster__GatewayPort="$gateway_port" \
      RAEGRID_State__Kind="$backend" \
      RAEGRID_OutputStore__Kind=azure-blob RAEGRID_OutputStore__ConnectionString="$blob_conn" \
      RAEGRID_OutputStore__Container="$container" \
      RAEGRID_Grid__Bundles__tiny="$repo/bundles/tiny/bundle.json" \
      RAEGRID_Grid__Bundles__fashion-mnist="$repo/bundles/fashion-mnist/bundle.json" \
      RAEGRID_Grid__Bundles__tiny-t2i="$repo/bundles/tiny-t2i/bundle.json" \
      RAEGRID_Health__Port="$health_port" RAEGRID_Metrics__Port="$metrics_port" RAEGRID_Dashboard__Port="$dashboard_port" \
      "${stages[@]}" dotnet "$cli" serve "${serve_args[@]}" >"$work/silo-$name.log" 2>&1 &
  silos+=($!)
  printf '  silo %-3s %-28s silo %s, gateway %s\n    health     http://127.0.0.1:%s/healthz  (/healthz/live, /healthz/ready)\n    metrics    http://127.0.0.1:%s/metrics\n' \
    "$name" "${list//,/, }" "$silo_port" "$gateway_port" "$health_port" "$metrics_port" >>"$work/silos.txt"
  if [ "$dashboard" = 1 ]; then printf '    dashboard  http://127.0.0.1:%s/\n' "$dashboard_port" >>"$work/silos.txt"
  else printf '    dashboard  (this CLI has no serve --dashboard)\n' >>"$work/silos.txt"; fi
}
: >"$work/silos.txt"
index=0
for spec in $silo_specs; do start_silo "${spec%%:*}" "$index" "${spec#*:}"; index=$((index + 1)); done
index=0
for spec in $silo_specs; do
  health_port=$((8081 + offset + index))
  wait_for "silo ${spec%%:*} (health port $health_port)" 90 curl -sf "http://127.0.0.1:$health_port/healthz"
  index=$((index + 1))
done

cat <<INFO
RAE grid running (logs in $work):
  $backend_what
  azurite  http://127.0.0.1:$azurite_port   container '$container' (outputs; on disk in $work/azurite)
$(cat "$work/silos.txt")

Submit jobs from another terminal:
  dotnet $cli generate --classes 0,1,2 --per-class 4 --steps 8 $client_args --out out/cluster-generate
  dotnet $cli generate --bundle tiny-t2i --prompt "a photo of a cat" --best-of 4 --keep 1 --verifier answer-logits --steps 8 $client_args --out out/cluster-prompts
  dotnet $cli reconstruct out/cluster-generate $client_args --out out/cluster-reconstruct
  dotnet $cli status $client_args
Output store connection string (to read the container directly):
  $blob_conn
Ctrl-C stops the cluster.
INFO
wait -n || true
echo "a process of the cluster exited; see $work/*.log" >&2
