#!/usr/bin/env bash
# Scaling of data-parallel training (KerasDistributed) on the forecast workload: one process, then
# two ranks under mpirun on this machine, each with one thread, REPEAT times alternately (default
# 3), then two ranks across two network namespaces over TCP (Scripts/mpi-two-hosts.sh, as root).
# Prints mpi-check's `worker bench` lines: samples/s, and the time rank 0 spent in exchanges
# (waiting for the slower rank included).
#
#   bash Scripts/mpi-scaling.sh [GLOBAL_BATCH] [EPOCHS]       defaults 64 and 2
set -euo pipefail
cd "$(dirname "$0")/.."
batch=${1:-64}
epochs=${2:-2}
swift build -c release --product mpi-check >/dev/null
export OMP_NUM_THREADS=1
binary=.build/release/mpi-check
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "${REPEAT:-3}"); do
  "$binary" worker bench "$batch" "$epochs"
  mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS -np 2 "$binary" worker bench "$batch" "$epochs"
done
if [ "$(id -u)" -eq 0 ]; then
  echo "two network namespaces, TCP over a veth pair:"
  bash Scripts/mpi-two-hosts.sh "$binary" worker bench "$batch" "$epochs"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
