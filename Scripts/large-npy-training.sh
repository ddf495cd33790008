#!/usr/bin/env bash
# Trains from a memory-mapped 4 GB .npy (written to /tmp, deleted afterwards) and reports the peak
# RSS (target: under 600 MB) and that training on a prefix of its batches from the file ends with
# the weights of training on the same rows in memory; then samples/s of the forecast workload
# trained from arrays, from a TensorDataset and from an NPYDataset (prefetching) in one process.
# Not a CI test: it needs about 4.3 GB of free disk and a few minutes.
#
#   bash Scripts/large-npy-training.sh [GB] [DIR]      # defaults: 4 /tmp
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=passive
swift build -c release --product benchmarks
.build/release/benchmarks --large-npy "${1:-4}" --npy-dir "${2:-/tmp}"
.build/release/benchmarks forecast --streaming --epochs 3 --rounds 3
