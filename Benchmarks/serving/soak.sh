#!/usr/bin/env bash
# Memory soak of `swift-keras serve`: wrk offers load for SECONDS while the server's resident memory
# is sampled every INTERVAL seconds (VmRSS from /proc), printed as it goes.
#
#   PYTHON=/path/to/venv/bin/python bash Benchmarks/serving/soak.sh [MODEL] [SECONDS] [CONNECTIONS] [INTERVAL]
#
# MODEL is classify or forecast (default forecast), 600 s, 8 connections, 10 s. Prints one line per
# sample (seconds, RSS in MB, requests answered so far from /metrics) and wrk's summary. Needs a release
# build (or SWIFT_KERAS=path) and Keras in $PYTHON for the model; writes nothing to the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:-forecast}
seconds=${2:-600}
connections=${3:-8}
interval=${4:-10}
python=${PYTHON:-python3}
swift_keras=${SWIFT_KERAS:-.build/release/swift-keras}
port=${PORT:-18511}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
TF_ENABLE_ONEDNN_OPTS=0 TF_CPP_MIN_LOG_LEVEL=3 "$python" Benchmarks/serving/make_models.py "$work" >/dev/null 2>&1
body="$work/$model.json"

"$swift_keras" serve "$work/$model.keras" --name "$model" --port "$port" --log-level warning &
pid=$!
for _ in $(seq 1 300); do
  curl -s -o /dev/null -X POST -d @"$body" "http://127.0.0.1:$port/v1/models/$model:predict" && break
  sleep 0.2
done

answered() {  # requests answered 200 so far, from the server's Prometheus counter
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^keras_serving_requests_total/ && /status="200"/ {n += $2} END {printf "%d", n}'
}
rss() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }

echo "$(date -u +%H:%M:%S) soak: $model, $connections connections, ${seconds}s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s %10s %12s\n' seconds "RSS MB" answered
printf '%8d %10s %12s\n' 0 "$(rss)" "$(answered)"
BODY="$body" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s Benchmarks/serving/post.lua \
  "http://127.0.0.1:$port/v1/models/$model:predict" >"$work/wrk.txt" &
wrk_pid=$!
start=$SECONDS
while kill -0 $wrk_pid 2>/dev/null; do
  sleep "$interval"
  kill -0 $wrk_pid 2>/dev/null || break
  printf '%8d %10s %12s\n' $((SECONDS - start)) "$(rss)" "$(answered)"
done
wait $wrk_pid || true
printf '%8d %10s %12s   (end)\n' $((SECONDS - start)) "$(rss)" "$(answered)"
echo "$(date -u +%H:%M:%S) load average $(cut -d' ' -f1-3 /proc/loadavg); peak RSS $(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$pid/status")"
grep -E 'Requests/sec|requests in|Non-2xx|Socket errors|50%|99%' "$work/wrk.txt" || true
kill -TERM $pid && wait $pid || true
