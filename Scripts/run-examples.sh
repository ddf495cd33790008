#!/usr/bin/env bash
# Runs every example program in release, in a short mode (`--epochs 1` unless EPOCHS is set),
# so that none of them rots: CI runs this after the tests. Outputs go to a temporary directory.
#
#   bash Scripts/run-examples.sh             all nine examples, one epoch each (distributed-training on one process)
#   EPOCHS=3 bash Scripts/run-examples.sh    more epochs
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${EPOCHS:-1}
output=$(mktemp -d)
trap 'rm -rf "$output"' EXIT

examples=(lstm-classifier rnn-from-scratch sequence-patterns text-generation time-series-forecast keras-interop distributed-training seq2seq-addition digits-convnet)
for example in "${examples[@]}"; do
  swift build -c release --product "$example"
done
for example in "${examples[@]}"; do
  echo "=== $example --epochs $epochs"
  case "$example" in
    lstm-classifier) args=(--weights "$output/lstm-classifier.weights.h5") ;;
    time-series-forecast | keras-interop) args=(--output "$output/$example") ;;
    *) args=() ;;
  esac
  swift run -c release --skip-build "$example" --epochs "$epochs" "${args[@]}" | tail -n 25
done
echo "all ${#examples[@]} examples ran"
