#!/usr/bin/env bash
# Serving benchmark on loopback, bounded in time: SwiftKeras serve against the Python Keras server
# (python_server.py) on the classify and forecast models, with wrk (Debian's `wrk` package).
#
#   PYTHON=/path/to/venv/bin/python bash Benchmarks/serving/run.sh [SECONDS] [CONNECTIONS]
#
# For each model and server: wrk -t2 -cCONNECTIONS -dSECONDS --latency (requests/s, p50, p99, non-2xx
# answers, socket errors) and the server's peak resident memory (VmHWM). Then the 2x overload of
# swift-keras serve: its capacity (requests/s at saturation: the better of the run above and one with
# 64 connections, whose larger batches need not be faster on a busy machine), then
# post_rate.lua offering twice that rate over OVERLOAD_CONNECTIONS (2048) connections, every answer
# counted (200, 503 with a message, other, socket errors; answers later than 5 s, which wrk calls
# "timeout"), beside the requests written and the answers the server counted in /metrics. Needs a release build
# (swift build -c release --product swift-keras, or SWIFT_KERAS=path) and Keras in $PYTHON. Writes nothing to the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
connections=${2:-8}
overload_connections=${OVERLOAD_CONNECTIONS:-2048}
python=${PYTHON:-python3}
swift_keras=${SWIFT_KERAS:-.build/release/swift-keras}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export TF_ENABLE_ONEDNN_OPTS=0 TF_CPP_MIN_LOG_LEVEL=3
"$python" Benchmarks/serving/make_models.py "$work" >/dev/null 2>&1

wait_ready() {  # port
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -X POST -d @"$body" "http://127.0.0.1:$1/v1/models/$model:predict" && return 0
    sleep 0.2
  done
  echo "server on port $1 did not start" >&2
  return 1
}

measure() {  # label pid port
  wait_ready "$3"
  local out
  out=$(BODY="$body" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s Benchmarks/serving/post.lua \
    "http://127.0.0.1:$3/v1/models/$model:predict")
  local rps p50 p99 non2xx errors peak
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  last_rps=${rps%.*}
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  errors=$(awk '/Socket errors/ {print $0}' <<<"$out")
  peak=$(awk '/VmHWM/ {print $2 / 1024 " MiB"}' "/proc/$2/status")
  printf '%-10s %-22s %10s req/s  p50 %8s  p99 %8s  peak RSS %9s  non-2xx %s %s\n' \
    "$model" "$1" "$rps" "$p50" "$p99" "$peak" "${non2xx:-0}" "${errors:-}"
}

overload() {  # pid port
  local url="http://127.0.0.1:$2/v1/models/$model:predict" capacity out
  capacity=$(BODY="$body" wrk -t2 -c64 -d"${seconds}s" -s Benchmarks/serving/post.lua "$url" |
    awk '/Requests\/sec/ {printf "%d", $2}')
  capacity=$((capacity > last_rps ? capacity : last_rps))
  local before after
  before=$(server_answers "$2")
  out=$(BODY="$body" RATE=$((2 * capacity)) THREADS=2 wrk -t2 -c"$overload_connections" -d"${seconds}s" --timeout 5s --latency \
    -s Benchmarks/serving/post_rate.lua "$url")
  for _ in $(seq 1 50); do  # the requests in flight when wrk stopped are still answered (to closed sockets)
    curl -s "http://127.0.0.1:$2/metrics" | grep -q '^keras_serving_requests_in_flight 0' && break
    sleep 0.2
  done
  after=$(server_answers "$2")
  printf '%-10s %-22s capacity %s req/s; offered %s req/s over %s connections: %s req/s answered, p50 %s, p99 %s; %s; the server answered %s\n' \
    "$model" "2x overload" "$capacity" $((2 * capacity)) "$overload_connections" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$(grep '^answers' <<<"$out")" $((after - before))
}

server_answers() {  # port: the predict answers the server has counted, every status
  curl -s "http://127.0.0.1:$1/metrics" |
    awk '/^keras_serving_requests_total\{.*api="predict"/ {n += $NF} END {printf "%d", n}'
}

for model in classify forecast; do
  body="$work/$model.json"
  "$swift_keras" serve "$work/$model.keras" --name "$model" --port 18501 --log-level warning &
  pid=$!
  measure "swift-keras serve" $pid 18501
  overload $pid 18501
  kill -TERM $pid && wait $pid || true
  for mode in predict call; do
    flag=$([ $mode = call ] && echo --call || true)
    "$python" Benchmarks/serving/python_server.py "$work/$model.keras" "$model" 18502 $flag >/dev/null 2>&1 &
    pid=$!
    measure "python keras ($mode)" $pid 18502
    kill $pid && wait $pid 2>/dev/null || true
  done
done
