#!/usr/bin/env bash
# Seed spread of one workload's training losses: SwiftKeras and Keras (and PyTorch when TORCH is
# given), float32 and under the mixed_bfloat16 policy, each with weights seeds 0..SEEDS-1 on the
# same data (the reference script's NumPy arrays, seed 0). Answers "are the mixed-precision losses
# within the seed spread of float32 training, and of Keras' own mixed run?".
#
#   PYTHON=/path/to/keras-venv/bin/python [TORCH=/path/to/torch-venv/bin/python] \
#     bash Benchmarks/seed-spread.sh [WORKLOAD] [SEEDS] [EPOCHS]
#
# WORKLOAD defaults to large, 5 seeds, 3 epochs. Needs a release build of the harness
# (swift build -c release --product benchmarks). Prints one line per run (the loss of every
# epoch) and, per framework and policy, the range of the final losses. Timings are not compared
# here (runs share the machine one after another); writes nothing to the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:-large}
seeds=${2:-5}
epochs=${3:-3}
python=${PYTHON:?set PYTHON to a Python with keras (Scripts/make-keras-venv.sh)}
torch=${TORCH:-}
bench=${BENCHMARKS:-.build/release/benchmarks}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TF_ENABLE_ONEDNN_OPTS=0 TF_CPP_MIN_LOG_LEVEL=3 OMP_WAIT_POLICY=passive

# The reference script's data, as the harness saves it, so all frameworks train on the same numbers.
"$python" - Benchmarks/reference/keras_workloads.py "$workload" "$work" <<'PY'
import runpy, sys, numpy as np
script, name, out = sys.argv[1:4]
x, y = runpy.run_path(script, run_name="reference_workloads")["WORKLOADS"][name][0]()
np.save(out + "/x.npy", np.asarray(x, dtype=np.float32)); np.save(out + "/y.npy", np.asarray(y, dtype=np.float32))
PY

reference() {  # python script: runs the workload for $epochs epochs, prints its JSON line
  "$1" - "$2" "$workload" "$epochs" <<'PY'
import runpy, sys
script, name, epochs = sys.argv[1:4]
module = runpy.run_path(script, run_name="reference_workloads")
data, build, batch, _ = module["WORKLOADS"][name]
module["WORKLOADS"][name] = (data, build, batch, int(epochs))
module["run"](name)
PY
}

losses() {  # JSON line on stdin -> "final  [epoch losses]"
  "$python" -c 'import json, sys
for line in sys.stdin:
    if line.startswith("{") and "final_loss" in line:
        r = json.loads(line); print(r["final_loss"], r.get("epoch_losses") or r.get("epochLosses"))'
}

results="$work/results"
for policy in float32 mixed_bfloat16; do
  for seed in $(seq 0 $((seeds - 1))); do
    flag=$([ "$policy" = float32 ] || echo "--policy $policy")
    env_policy=$([ "$policy" = float32 ] || echo "$policy")
    # shellcheck disable=SC2086
    line=$("$bench" --single "$workload" --data "$work" --seed "$seed" --epochs "$epochs" $flag | losses)
    echo "swiftkeras $policy $seed $line" | tee -a "$results"
    line=$(BENCH_SEED=$seed BENCH_POLICY=$env_policy reference "$python" Benchmarks/reference/keras_workloads.py | losses)
    echo "keras $policy $seed $line" | tee -a "$results"
    if [ -n "$torch" ]; then
      line=$(BENCH_SEED=$seed BENCH_POLICY=$env_policy reference "$torch" Benchmarks/reference/torch_workloads.py | losses)
      echo "pytorch $policy $seed $line" | tee -a "$results"
    fi
  done
done
echo
awk '{key = $1 " " $2; v = $4 + 0; if (!(key in lo) || v < lo[key]) lo[key] = v; if (!(key in hi) || v > hi[key]) hi[key] = v; n[key]++}
  END {for (k in n) printf "%-28s final loss over %d seeds: %.5f .. %.5f (spread %.5f)\n", k, n[k], lo[k], hi[k], hi[k] - lo[k]}' "$results" | sort
