#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer, as for
# issue 7. Slow (a quarter of an hour or more on two cores) and not part of CI.
#
#   Scripts/sanitizers.sh            all three passes
#   Scripts/sanitizers.sh address    AddressSanitizer + LeakSanitizer only
#   Scripts/sanitizers.sh thread     both ThreadSanitizer passes only
#
# Each sanitizer builds into its own scratch directory (.build-asan, .build-tsan) and logs to
# /tmp/sanitizers-<pass>.log. Suppressions live in Scripts/sanitizers/, each with its reason;
# anything reported through SwiftKeras' own frames is a bug to fix, never to suppress.
set -euo pipefail
cd "$(dirname "$0")/.."
here="$PWD/Scripts/sanitizers"
[ $# -gt 0 ] || set -- address thread

run() {
  local name=$1
  shift
  echo "== $name: $*"
  local start=$SECONDS
  local status=0
  "$@" >"/tmp/sanitizers-$name.log" 2>&1 || status=$?
  echo "   exit $status after $((SECONDS - start)) s; $(grep -c 'WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer' "/tmp/sanitizers-$name.log" || true) sanitizer reports; log /tmp/sanitizers-$name.log"
  grep -E '^. Test run with' "/tmp/sanitizers-$name.log" || true
  return $status
}

failed=0
for pass in "$@"; do
  case $pass in
  address)
    # The tests run the swift-keras and fuzz-loaders executables, so build everything.
    swift build --build-tests --scratch-path .build-asan --sanitize=address
    # fast_unwind_on_malloc=0: libhdf5 has no frame pointers, so the default unwinder stops
    # inside it and the libhdf5 leak suppressions (named by function) would not match; twelve
    # frames reach them and keep the slow unwinder affordable. allocator_may_return_null=1: a
    # failed allocation returns NULL as in a normal build (the HDF5 trial-read child relies on
    # that to report a file whose lengths would need gigabytes, instead of ASan aborting it).
    ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=12:allocator_may_return_null=1 \
      LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=1" \
      run address swift test --skip-build --scratch-path .build-asan --sanitize=address || failed=1
    ;;
  thread)
    swift build --build-tests --scratch-path .build-tsan --sanitize=thread
    # First with one OpenMP thread: OpenMPRegion runs its parts on the calling thread and oneDNN
    # stays single-threaded, so every report is about SwiftKeras' own threads (tests, tasks).
    OMP_NUM_THREADS=1 TSAN_OPTIONS="suppressions=$here/tsan.supp print_suppressions=1" \
      run thread-single swift test --skip-build --scratch-path .build-tsan --sanitize=thread || failed=1
    # Then with OpenMP's threads: reports across libgomp's hand-off are suppressed (see tsan.supp).
    TSAN_OPTIONS="suppressions=$here/tsan.supp print_suppressions=1" \
      run thread-openmp swift test --skip-build --scratch-path .build-tsan --sanitize=thread || failed=1
    ;;
  *)
    echo "unknown pass '$pass' (address or thread)" >&2
    exit 2
    ;;
  esac
done
exit $failed
