#!/usr/bin/env bash
# A two-silo RAE grid on this machine, for trying the cluster by hand: Redis (membership, job state, reminders),
# Azurite (the blob output store) and two `rae-grid serve` processes on loopback, like the multi-process test
# (tests/Grid.Tests/MultiProcess). Silo A hosts the encoder, diffusion and verifier stages, silo B the decoder and text (prompt → condition) stages, so every item
# crosses processes. Runs in the foreground and prints how to submit jobs; Ctrl-C stops everything it started.
#
#   infra/local-cluster.sh                      default ports (below)
#   REDIS_PORT=6390 AZURITE_PORT=10010 infra/local-cluster.sh
#   CONFIGURATION=Release infra/local-cluster.sh
#
# Needs: the .NET SDK, redis-server (apt-get install -y redis-server), node + npm (Azurite is installed into .tools/).
# Logs and state go to out/local-cluster/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

configuration="${CONFIGURATION:-Debug}"
redis_port="${REDIS_PORT:-6379}"
azurite_port="${AZURITE_PORT:-10000}"
silo_a_port="${SILO_A_PORT:-11111}";   gateway_a_port="${GATEWAY_A_PORT:-30000}"; health_a_port="${HEALTH_A_PORT:-8081}"
silo_b_port="${SILO_B_PORT:-11112}";   gateway_b_port="${GATEWAY_B_PORT:-30001}"; health_b_port="${HEALTH_B_PORT:-8082}"
container="${CONTAINER:-rae-outputs}"
work="$repo/out/local-cluster"
cli="$repo/Cli/bin/$configuration/net10.0/rae-grid.dll"

command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install -y redis-server" >&2; exit 1; }
if [ ! -e .tools/node_modules/.bin/azurite-blob ]; then
  echo "installing azurite 3.37.0 into .tools/ (about a minute) ..." >&2
  npm install --no-save --prefix .tools azurite@3.37.0 >&2
fi
if [ ! -f "$cli" ]; then
  echo "building the rae-grid CLI ($configuration) ..." >&2
  dotnet build Cli -c "$configuration" >&2
fi

mkdir -p "$work"
services=()  # redis, azurite
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
  # Silos first, while Redis still runs: SIGTERM drains their stages and leaves the cluster (a few seconds).
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

# Durable as production must be (infra/redis.conf: AOF on, fsync every second), its data under $work/redis, so a
# restarted cluster resumes its jobs.
mkdir -p "$work/redis"
redis-server "$repo/infra/redis.conf" --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" >"$work/redis.log" 2>&1 &
services+=($!)
wait_for "redis on 127.0.0.1:$redis_port" 20 redis-cli -h 127.0.0.1 -p "$redis_port" ping

# Blobs on disk under $work/azurite, like the job state in Redis: a restart keeps both.
mkdir -p "$work/azurite"
.tools/node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$azurite_port" --location "$work/azurite" --loose \
  >"$work/azurite.log" 2>&1 &
services+=($!)
wait_for "azurite on 127.0.0.1:$azurite_port" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$azurite_port"

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
blob_conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:${azurite_port}/devstoreaccount1;"
redis_conn="127.0.0.1:${redis_port}"

start_silo() { # start_silo <name> <silo port> <gateway port> <health port> <stage>...
  local name=$1 silo_port=$2 gateway_port=$3 health_port=$4; shift 4
  local i=0 stages=()
  for s in "$@"; do stages+=("RAEGRID_Grid__Stages__$i=$s"); i=$((i + 1)); done
  env RAEGRID_Cluster__Mode=redis RAEGRID_Cluster__Redis="$redis_conn" \
      RAEGRID_Cluster__SiloPort="$silo_port" RAEGRID_Cluster__GatewayPort="$gateway_port" \
      RAEGRID_State__Kind=redis \
      RAEGRID_OutputStore__Kind=azure-blob RAEGRID_OutputStore__ConnectionString="$blob_conn" \
      RAEGRID_OutputStore__Container="$container" \
      RAEGRID_Grid__Bundles__tiny="$repo/bundles/tiny/bundle.json" \
      RAEGRID_Grid__Bundles__fashion-mnist="$repo/bundles/fashion-mnist/bundle.json" \
      RAEGRID_Grid__Bundles__tiny-t2i="$repo/bundles/tiny-t2i/bundle.json" \
      RAEGRID_Health__Port="$health_port" "${stages[@]}" \
      dotnet "$cli" serve >"$work/silo-$name.log" 2>&1 &
  silos+=($!)
}
start_silo a "$silo_a_port" "$gateway_a_port" "$health_a_port" encoder diffusion verifier
start_silo b "$silo_b_port" "$gateway_b_port" "$health_b_port" decoder text
wait_for "silo a (health port $health_a_port)" 60 curl -sf "http://127.0.0.1:$health_a_port/healthz"
wait_for "silo b (health port $health_b_port)" 60 curl -sf "http://127.0.0.1:$health_b_port/healthz"

cat <<INFO
RAE grid running (logs in $work):
  redis    $redis_conn            (membership, job state, reminders; AOF in $work/redis)
  azurite  http://127.0.0.1:$azurite_port   container '$container' (outputs; on disk in $work/azurite)
  silo a   encoder, diffusion, verifier   silo port $silo_a_port, gateway $gateway_a_port, http://127.0.0.1:$health_a_port/healthz
  silo b   decoder, text                  silo port $silo_b_port, gateway $gateway_b_port, http://127.0.0.1:$health_b_port/healthz

Submit jobs from another terminal:
  dotnet $cli generate --classes 0,1,2 --per-class 4 --steps 8 --cluster redis --redis $redis_conn --out out/cluster-generate
  dotnet $cli generate --bundle tiny-t2i --prompt "a photo of a cat" --best-of 4 --keep 1 --verifier answer-logits --steps 8 --cluster redis --redis $redis_conn --out out/cluster-prompts
  dotnet $cli reconstruct out/cluster-generate --cluster redis --redis $redis_conn --out out/cluster-reconstruct
  dotnet $cli status --cluster redis --redis $redis_conn
Output store connection string (to read the container directly):
  $blob_conn
Ctrl-C stops the cluster.
INFO
wait -n || true
echo "a process of the cluster exited; see $work/*.log" >&2
