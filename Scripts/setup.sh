#!/usr/bin/env bash
# Installs the system libraries SwiftKeras links against, if they are missing:
# libhdf5-dev (HDF5 files), libdnnl-dev (oneDNN, the GEMM library), and Open MPI
# (libopenmpi-dev, openmpi-bin: mpirun) for KerasDistributed's data-parallel training.
# Debian/Ubuntu; runs apt-get as root, or through sudo otherwise.
set -euo pipefail
packages=(libhdf5-dev libdnnl-dev libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing ${missing[*]} ..."
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
