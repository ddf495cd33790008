#!/usr/bin/env bash
# Creates the Python venv of real Keras used to generate the golden fixtures
# (Tests/*/Fixtures/make_*.py) and to run the reference benchmarks (Benchmarks/reference/):
# Keras 3.15.1 on TensorFlow 2.21.0 CPU, Keras 2 (tf_keras 2.21.0), h5py and NumPy, every package
# at the exact version of Scripts/keras-requirements.txt. Not needed by CI or the tests.
#
#   bash Scripts/make-keras-venv.sh [DIR]     default /tmp/kerasref; then DIR/bin/python script.py
#
# tf_keras declares a dependency on the GPU `tensorflow` wheel, which would replace tensorflow-cpu,
# so it is installed with --no-deps. For fixtures, run with TF_ENABLE_ONEDNN_OPTS=0 and
# keras.utils.set_random_seed(...) so that regenerating gives identical files. PyTorch, for
# Benchmarks/reference/torch_workloads.py, goes in a venv of its own (`pip install torch numpy`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-/tmp/kerasref}
python3 -m venv "$dir"
"$dir/bin/pip" install -q --upgrade pip
"$dir/bin/pip" install -q -r "$here/keras-requirements.txt"
"$dir/bin/pip" install -q --no-deps "tf_keras==2.21.0"
TF_CPP_MIN_LOG_LEVEL=3 "$dir/bin/python" -c "import tensorflow as tf, keras, tf_keras, h5py; print('tensorflow', tf.__version__, '| keras', keras.__version__, '| tf_keras', tf_keras.__version__, '| h5py', h5py.__version__)"
