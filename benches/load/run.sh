#!/usr/bin/env bash
# Load benchmark: oauth-server's token endpoint against a plain hyper hello-world, same load
# generator (wrk), same run, over loopback.
#
#   benches/load/run.sh
#
# Cases:
#   hello    examples/hello.rs: hyper 1.x, tokio multi-thread, GET / -> 200 "ok"
#   basic    oauth-server POST /demo/as/token, client_credentials, client_secret_basic
#   pkjwt    the same with private_key_jwt (ES256); each request carries a fresh pre-minted
#            assertion (`oauth-server assertion`), cycled by pkjwt.lua
#
# Environment (all optional):
#   DURATION=25        seconds for hello
#   BASIC_DURATION=90  seconds for the client_credentials/basic case (aim: >= 1M requests)
#   CONNS=32 THREADS=1 wrk connections and threads
#   WARMUP=6           seconds of unmeasured load before hello and basic (basic: longer than
#                      the 5 s token TTL, so the store is at its steady size when measured)
#   PKJWT_DURATION=5   seconds for pkjwt. `oauth-server assertion` is one process per assertion
#                      (~4 ms; ~500/s on 2 cores) and an assertion lives 120 s, so the pool
#                      bounds this run: keep PKJWT_POOL above PKJWT_DURATION x the pkjwt rate
#   PKJWT_POOL=40000   assertions to mint for pkjwt (~80 s); PKJWT=0 skips the case
#   SERVER_LOG=warn    RUST_LOG of oauth-server (info logs a line per request)
#   STORE=memory       oauth-server's record store: memory | sqlite | redis. sqlite writes a
#                      fresh file in the work folder (SQLITE_SYNC=full|normal, default full);
#                      redis starts a private redis-server (persistence off) on a free port,
#                      pinned with the server
#   SKIP_BUILD=1       use the binaries already in $CARGO_TARGET_DIR
#   CARGO_TARGET_DIR   default /tmp/target-load
# With 2+ cores and taskset, the servers run on core 1 and wrk (and the minting) on core 0.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-/tmp/target-load}
DURATION=${DURATION:-25}
BASIC_DURATION=${BASIC_DURATION:-90}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-6}
PKJWT=${PKJWT:-1}
PKJWT_POOL=${PKJWT_POOL:-40000}
PKJWT_DURATION=${PKJWT_DURATION:-5}
SERVER_LOG=${SERVER_LOG:-warn}
STORE=${STORE:-memory}
SQLITE_SYNC=${SQLITE_SYNC:-full}
case $STORE in
  memory|sqlite) ;;
  redis) command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install -y redis-server" >&2; exit 1; } ;;
  *) echo "STORE must be memory, sqlite or redis" >&2; exit 1 ;;
esac

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found" >&2; exit 1; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build --release -p oauth-hyper --examples --bins)
fi
HELLO="$TARGET/release/examples/hello"
SERVER="$TARGET/release/oauth-server"
[[ -x "$HELLO" && -x "$SERVER" ]] || { echo "missing $HELLO or $SERVER" >&2; exit 1; }

SERVER_PIN=() WRK_PIN=() PIN_NOTE="no pinning"
if [[ $(nproc) -ge 2 ]] && command -v taskset >/dev/null; then
  SERVER_PIN=(taskset -c 1) WRK_PIN=(taskset -c 0) PIN_NOTE="server on core 1, wrk on core 0"
fi

WORK=$(mktemp -d /tmp/load-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port" >&2; exit 1
}
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2; exit 1
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# CPU time (user + system, clock ticks) the process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# ---------------------------------------------------------------- servers
HELLO_PORT=$(free_port)
"${SERVER_PIN[@]}" "$HELLO" "127.0.0.1:$HELLO_PORT" >"$WORK/hello.log" 2>&1 &
HELLO_PID=$!; PIDS+=("$HELLO_PID")

AS_PORT=$(free_port)
while [[ $AS_PORT == "$HELLO_PORT" ]]; do AS_PORT=$(free_port); done
CONFIG="$WORK/server.toml"
case $STORE in
  memory) STORE_TOML='store = { kind = "memory" }' ;;
  sqlite) STORE_TOML="store = { kind = \"sqlite\", path = \"$WORK/store.sqlite3\", synchronous = \"$SQLITE_SYNC\" }" ;;
  redis)
    REDIS_PORT=$(free_port)
    while [[ $REDIS_PORT == "$HELLO_PORT" || $REDIS_PORT == "$AS_PORT" ]]; do REDIS_PORT=$(free_port); done
    "${SERVER_PIN[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
      --dir "$WORK" >"$WORK/redis.log" 2>&1 &
    PIDS+=("$!")
    wait_port "$REDIS_PORT"
    STORE_TOML="store = { kind = \"redis\", url = \"redis://127.0.0.1:$REDIS_PORT\" }" ;;
esac
# The demo tenant's two client_credentials clients, with a 5 s access-token lifetime so the
# store holds (rate x 5 s) tokens and stays flat under load.
cat >"$CONFIG" <<EOF
listen = "127.0.0.1:$AS_PORT"
$STORE_TOML

[[tenants]]
id = "demo"
access_token_ttl_secs = 5
id_token_signing_alg = "ES256"

[[tenants.clients]]
client_id = "demo-basic"
client_secret = "demo-basic-secret"
token_endpoint_auth_method = "client_secret_basic"
grant_types = ["client_credentials"]
scope = "read write"

[[tenants.clients]]
client_id = "demo-pkjwt"
token_endpoint_auth_method = "private_key_jwt"
token_endpoint_auth_signing_alg = "ES256"
jwks = { keys = [ { kty = "EC", crv = "P-256", kid = "demo-pkjwt-1", x = "omJ8niPw8miPdDgxROum73ReWHF8f8pvO7oSG4eOoLQ", y = "gAJG8VnEQG0LxuZLF7nKbAPcniS2az-tGfo7isBB_Pc" } ] }
grant_types = ["client_credentials"]
scope = "read write"
EOF
RUST_LOG="$SERVER_LOG" "${SERVER_PIN[@]}" "$SERVER" --config "$CONFIG" >"$WORK/server.log" 2>&1 &
AS_PID=$!; PIDS+=("$AS_PID")
wait_port "$HELLO_PORT"
wait_port "$AS_PORT"

HELLO_URL="http://127.0.0.1:$HELLO_PORT/"
TOKEN_URL="http://127.0.0.1:$AS_PORT/demo/as/token"
export LOAD_BASIC
LOAD_BASIC=$(printf '%s' "demo-basic:demo-basic-secret" | base64 -w0)

# Smoke checks: each case answers 200 before it is loaded.
check() {
  local name=$1; shift
  local code
  code=$(curl -s -o "$WORK/smoke.out" -w '%{http_code}' "$@")
  echo "smoke $name: HTTP $code $(head -c 160 "$WORK/smoke.out")"
  [[ $code == 200 ]] || { echo "smoke check $name failed" >&2; cat "$WORK/server.log" >&2; exit 1; }
}
check hello "$HELLO_URL"
check basic -u demo-basic:demo-basic-secret -d grant_type=client_credentials -d scope=read "$TOKEN_URL"
JWT_BEARER=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
mint() { "${WRK_PIN[@]}" "$SERVER" --config "$CONFIG" assertion --client-id demo-pkjwt; }
check pkjwt -d grant_type=client_credentials -d scope=read -d client_assertion_type=$JWT_BEARER \
  -d "client_assertion=$(mint)" "$TOKEN_URL"

# ---------------------------------------------------------------- load
# run_case NAME PID DURATION URL [wrk args...]; appends a row to $WORK/rows.
run_case() {
  local name=$1 pid=$2 secs=$3 url=$4; shift 4
  local before after peak out="$WORK/$name.wrk"
  before=$(rss_kb "$pid")
  local cpu0 load0
  cpu0=$(cpu_ticks "$pid"); load0=$(cut -d' ' -f1 /proc/loadavg)
  # RSS every 5 s while loaded: the memory trace.
  ( while sleep 5; do rss_kb "$pid"; done >"$WORK/$name.rss" ) &
  local sampler=$!
  "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency "$@" "$url" | tee "$out"
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  after=$(rss_kb "$pid")
  local cpu1 load1
  cpu1=$(cpu_ticks "$pid"); load1=$(cut -d' ' -f1 /proc/loadavg)
  peak=$(sort -n "$WORK/$name.rss" | tail -1); peak=${peak:-$after}
  [[ $peak -ge $after ]] || peak=$after
  local rps p50 p99 reqs non2xx sockerr
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  reqs=$(awk '/ requests in / {print $1}' "$out")
  non2xx=$(awk -F': ' '/Non-2xx or 3xx responses/ {print $2}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out"); sockerr=${sockerr:-0}
  echo "RSS trace $name (MB, every 5 s): $(mb "$before") -> $(while read -r k; do printf '%s ' "$(mb "$k")"; done <"$WORK/$name.rss")-> $(mb "$after")"
  # The server's CPU time per request: unlike req/s, barely moved by other load on the machine.
  local cpu_us
  cpu_us=$(awk -v t=$((cpu1 - cpu0)) -v u="$TICK_US" -v n="$reqs" 'BEGIN {printf "%.1f", n ? t * u / n : 0}')
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$secs" "$reqs" "$rps" \
    "$p50" "$p99" "$non2xx" "$sockerr" "$cpu_us" "$(mb "$before")" "$(mb "$after") (peak $(mb "$peak"))" \
    "$load0 / $load1" >>"$WORK/rows"
}
warmup() {
  [[ $WARMUP -gt 0 ]] || return 0
  "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "$@" >/dev/null
}

echo "== hello"
warmup "$HELLO_URL"
run_case hello "$HELLO_PID" "$DURATION" "$HELLO_URL"

echo "== basic (client_credentials, client_secret_basic)"
warmup -s "$HERE/token.lua" "$TOKEN_URL"
run_case basic "$AS_PID" "$BASIC_DURATION" "$TOKEN_URL" -s "$HERE/token.lua"

if [[ $PKJWT != 0 ]]; then
  echo "== pkjwt (client_credentials, private_key_jwt ES256)"
  # An assertion lives 120 s (exp = iat + 120), so the pool is minted right before the run;
  # with both cores busy minting, the run starts while all of them are fresh.
  echo "minting $PKJWT_POOL assertions ..."
  t0=$(date +%s)
  seq "$PKJWT_POOL" | xargs -P "$(nproc)" -n 200 sh -c \
    'exe=$0 cfg=$1; shift; for _ in "$@"; do "$exe" --config "$cfg" assertion --client-id demo-pkjwt; done' "$SERVER" "$CONFIG" \
    >"$WORK/assertions.txt" 2>/dev/null || true
  minted=$(grep -c . "$WORK/assertions.txt" || true)
  echo "minted $minted in $(( $(date +%s) - t0 )) s"
  export LOAD_ASSERTIONS="$WORK/assertions.txt"
  run_case pkjwt "$AS_PID" "$PKJWT_DURATION" "$TOKEN_URL" -s "$HERE/pkjwt.lua"
fi

# ---------------------------------------------------------------- table
echo
store_note=$STORE
[[ $STORE != sqlite ]] || store_note="sqlite (synchronous=$SQLITE_SYNC)"
echo "wrk -t$THREADS -c$CONNS --latency; $(nproc) cores, $PIN_NOTE; oauth-server RUST_LOG=$SERVER_LOG, store $store_note"
echo
echo "| case | s | requests | req/s | p50 | p99 | non-2xx | socket errors | server CPU/req (µs) | RSS before (MB) | RSS after (MB) | load avg start / end |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
cat "$WORK/rows"
hello_rps=$(awk -F'|' '$2 ~ /hello/ {print $5}' "$WORK/rows")
awk -F'|' -v h="$hello_rps" '$2 !~ /hello/ {gsub(/ /, "", $2); printf "%s / hello = %.2f\n", $2, $5 / h}' "$WORK/rows"
hello_cpu=$(awk -F'|' '$2 ~ /hello/ {print $10}' "$WORK/rows")
awk -F'|' -v h="$hello_cpu" '$2 !~ /hello/ {gsub(/ /, "", $2); printf "%s: %.1fx the CPU time per request of hello\n", $2, $10 / h}' "$WORK/rows"
