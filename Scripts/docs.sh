#!/usr/bin/env bash
# Builds the DocC documentation of Keras, TensorCore and HDF5 from the catalogs in Docs/.
#
#   bash Scripts/docs.sh                  link the catalogs into the targets, build all three,
#                                         fail on any documentation warning
#   bash Scripts/docs.sh --coverage       the same, and print the documentation coverage
#                                         (per-symbol detail: <archive>/documentation-coverage.json)
#   bash Scripts/docs.sh --coverage Keras only some of the modules
#   SCRATCH=.build-docs bash Scripts/docs.sh   another build directory (default .build)
#
# The archives land in $SCRATCH/plugins/Swift-DocC/outputs/<Module>.doccarchive; preview one with
# `swift package --disable-sandbox preview-documentation --target Keras`.
#
# The catalogs live in Docs/<Module>.docc, where a reader finds them. SwiftPM and the
# swift-docc-plugin only build a catalog that sits inside the target's directory, and docc does
# not follow a symlinked catalog directory, so Sources/<Module>/<Module>.docc is a real directory
# holding one relative symlink per file of Docs/<Module>.docc (git keeps them). This script
# recreates those links first, so a new article needs no extra step.
set -euo pipefail
cd "$(dirname "$0")/.."

coverage=()
if [ "${1:-}" = "--coverage" ]; then
  coverage=(--experimental-documentation-coverage --coverage-summary-level brief)
  shift
fi
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(Keras TensorCore HDF5)

targets=()
for module in "${modules[@]}"; do
  source_dir=Docs/$module.docc
  link_dir=Sources/$module/$module.docc
  mkdir -p "$link_dir"
  # Drop links whose file is gone, then link every file of the catalog.
  find "$link_dir" -type l ! -exec test -e {} \; -delete
  (cd "$source_dir" && find . -type f ! -name '.*') | while read -r file; do
    file=${file#./}
    depth=$(tr -cd '/' <<<"$link_dir/$file" | wc -c)
    up=$(printf '../%.0s' $(seq 1 "$depth"))
    mkdir -p "$(dirname "$link_dir/$file")"
    ln -sfn "$up$source_dir/$file" "$link_dir/$file"
  done
  targets+=(--target "$module")
done

# --enable-inherited-docs: members that conformances synthesize (`!=`, `description`,
# `init(rawValue:)`, ...) show the standard library's documentation.
swift package --scratch-path "${SCRATCH:-.build}" generate-documentation "${targets[@]}" \
  --warnings-as-errors --enable-inherited-docs "${coverage[@]}"
