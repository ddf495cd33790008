#!/usr/bin/env bash
# Compiles every ```swift block of README.md and Docs/*/*.md as a user's program would, and runs
# each one that is runnable, so that no snippet of the documentation can rot.
#
#   bash Scripts/check-doc-snippets.sh              build all snippets, run the runnable ones
#   bash Scripts/check-doc-snippets.sh --list       print each block's location and mode, build nothing
#   bash Scripts/check-doc-snippets.sh --keep DIR   generate the package into DIR (kept) instead of a temp dir
#   TIMEOUT=20 bash Scripts/check-doc-snippets.sh   the time limit of each run, seconds (default 10)
#   SCRATCH=DIR                                     the build directory (default .build/doc-snippets)
#
# How: the README's own "Start your own program" manifest (the block marked `manifest`, below)
# becomes the Package.swift of a throwaway package in a temporary directory, its path
# "../SwiftKeras" replaced by this repository's path, whatever the repository's folder is called.
# So the recipe the README gives is itself checked. Every block becomes one file of that package's
# single executable target, all built by one `swift build` (debug, cached in $SCRATCH between
# runs); compiler errors point at the Markdown file and line (#sourceLocation). Then each runnable
# block runs in a process of its own, in a fresh empty directory, under a time limit.
#
# The files of a block: a block made only of declarations (types, extensions, functions) is
# compiled at file scope, so later blocks may use what it declares (a custom layer defined in one
# block and trained in the next). Any other block becomes the body of a function of its own, so
# blocks may each declare `let model` or `let x`. `import` lines move to the top of the file; a
# block without one gets `import Keras`. Foundation is not imported for the snippets: a block that
# needs it must say `import Foundation`, as the user's program would.
#
# Names a block may use without defining them: `x`, `y`, `xTest`, `yTest` and `model`, defined by
# Scripts/doc-snippets/Prelude.swift (sequences [N, 32, 8] with binary labels, and a compiled
# LSTM classifier for them; read that file for the details).
#
# Markers: an HTML comment on the lines just above a block's fence (GitHub and DocC show nothing):
#
#   <!-- snippet: fragment -->          not compiled: a deliberate excerpt (say why after the word)
#   <!-- snippet: compile-only -->      compiled, not run (too slow for a second in a debug build,
#                                       or it needs a file or a network the check does not have)
#   <!-- snippet: manifest -->          the Package.swift of "Start your own program" (all blocks
#                                       so marked must be identical); not compiled as a snippet
#   <!-- snippet: run                   hidden setup: the lines up to `-->` run before the block
#   let x = Tensor.randomNormal([8, 60, 1])    (inside its function), e.g. data of another shape
#   -->                                 or a file the block reads; any mode may take a setup
#
# A block without a marker is compiled and run. Each run prints its time; keep runnable blocks
# under a second or so (small data) and mark the others compile-only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

timeout_seconds=${TIMEOUT:-10}
scratch=${SCRATCH:-$repo/.build/doc-snippets}
list_only=false
package=""
case "${1:-}" in
  --list) list_only=true ;;
  --keep) package=${2:?--keep needs a directory}; mkdir -p "$package"; package=$(cd "$package" && pwd) ;;
  "") ;;
  *) echo "usage: $0 [--list | --keep DIR]" >&2; exit 2 ;;
esac
if [ -z "$package" ]; then
  package=$(mktemp -d "${TMPDIR:-/tmp}/doc-snippets.XXXXXX")
  trap 'rm -rf "$package"' EXIT
fi

documents=(README.md Docs/*/*.md)
sources=$package/Sources/hello
rm -rf "$sources"
mkdir -p "$sources"

# One pass over all documents: writes Snippet_NNN.swift per compiled block, manifest_NNN.swift per
# manifest block, and prints one line per block: "<id> <mode> <file>:<line>".
awk -v out="$sources" -v repo="$repo" '
  function fail(message) { printf "%s:%d: %s\n", FILENAME, FNR, message > "/dev/stderr"; failed = 1; exit 1 }
  function is_declaration(line) {
    return line ~ /^(@|(public |private |fileprivate |internal |open |final )*(class|struct|enum|protocol|extension|actor|typealias|func) )/
  }
  FNR == 1 { in_comment = 0; in_block = 0; pending = 0 }
  # A marker comment: its first line names the mode, the lines up to --> are the setup.
  !in_block && !in_comment && /^[ \t]*<!-- snippet/ {
    line = $0
    sub(/^[ \t]*<!-- snippet:?[ \t]*/, "", line)
    closes = sub(/[ \t]*-->[ \t]*$/, "", line)
    split(line, words, /[ \t(]/)
    mode = words[1] == "" ? "run" : words[1]
    if (mode != "run" && mode != "fragment" && mode != "compile-only" && mode != "manifest")
      fail("unknown snippet mode \"" mode "\" (run, compile-only, fragment, manifest)")
    setup = ""; setup_line = FNR + 1; pending = 0
    if (closes) pending = 1; else in_comment = 1
    next
  }
  in_comment {
    if ($0 ~ /-->[ \t]*$/) {
      line = $0; sub(/[ \t]*-->[ \t]*$/, "", line)
      if (line != "") setup = setup line "\n"
      in_comment = 0; pending = 1
    } else {
      setup = setup $0 "\n"
    }
    next
  }
  !in_block && /^[ \t]*```swift[ \t]*$/ {
    if (!pending) { mode = "run"; setup = "" }
    pending = 0
    in_block = 1
    indent = match($0, /[^ \t]/) - 1
    block_line = FNR + 1
    body = ""; raw = ""; imports = ""; top_level_statement = 0
    next
  }
  !in_block && /^[ \t]*```/ { if (pending) fail("a snippet marker before a block that is not ```swift"); next }
  !in_block { if (pending && $0 !~ /^[ \t]*$/) fail("a snippet marker must come just before its ```swift block"); next }
  in_block && /^[ \t]*```[ \t]*$/ {
    in_block = 0
    count++
    id = sprintf("%03d", count)
    printf "%s %s %s:%d\n", id, mode, FILENAME, block_line
    if (mode == "fragment") next
    if (mode == "manifest") { printf "%s", raw > (out "/../../manifest_" id ".swift"); close(out "/../../manifest_" id ".swift"); next }
    file = out "/Snippet_" id ".swift"
    printf "// %s:%d (generated by Scripts/check-doc-snippets.sh)\n", FILENAME, block_line > file
    printf "%s", (imports == "" ? "import Keras\n" : imports) > file
    declarations = !top_level_statement && setup == ""
    if (declarations) {
      printf "#sourceLocation(file: \"%s/%s\", line: %d)\n%s#sourceLocation()\n", repo, FILENAME, block_line, body > file
    } else {
      printf "func snippet%s() throws {\n", id > file
      if (setup != "")
        printf "#sourceLocation(file: \"%s/%s\", line: %d)\n%s", repo, FILENAME, setup_line, setup > file
      printf "#sourceLocation(file: \"%s/%s\", line: %d)\n%s#sourceLocation()\n}\n", repo, FILENAME, block_line, body > file
      if (mode == "run") runnable[++runnables] = id
    }
    close(file)
    next
  }
  in_block {
    line = $0
    if (indent > 0 && substr(line, 1, indent) ~ /^[ \t]*$/) line = substr(line, indent + 1)
    raw = raw line "\n"
    if (line ~ /^import /) { imports = imports line "\n"; body = body "\n"; next }
    body = body line "\n"
    if (line ~ /^[^ \t\/}]/ && !is_declaration(line)) top_level_statement = 1
    next
  }
  END {
    if (failed) exit 1
    if (in_block) { print "an unclosed ```swift block" > "/dev/stderr"; exit 1 }
    main = out "/main.swift"
    print "// The runnable snippets by id: `hello 007` runs the seventh block (generated)." > main
    print "import Foundation\n" > main
    print "let snippets: [String: () throws -> Void] = [" > main
    for (i = 1; i <= runnables; i++) printf "  \"%s\": snippet%s,\n", runnable[i], runnable[i] > main
    if (runnables == 0) print "  :" > main
    print "]" > main
    print "guard CommandLine.arguments.count == 2, let snippet = snippets[CommandLine.arguments[1]] else {" > main
    print "  print(\"usage: hello ID with ID one of \\(snippets.keys.sorted())\")" > main
    print "  exit(2)" > main
    print "}" > main
    print "do {\n  try snippet()\n} catch {\n  print(\"error: \\(error)\")\n  exit(1)\n}" > main
  }
' "${documents[@]}" >"$package/blocks.txt"

if $list_only; then
  cat "$package/blocks.txt"
  exit 0
fi

# The package manifest: the documentation's own, pointing at this repository.
manifests=("$package"/manifest_*.swift)
[ -e "${manifests[0]}" ] || { echo "no block is marked <!-- snippet: manifest -->" >&2; exit 1; }
for manifest in "${manifests[@]}"; do
  cmp -s "$manifest" "${manifests[0]}" || {
    echo "the manifest blocks differ; keep them identical:" >&2
    grep manifest "$package/blocks.txt" >&2
    exit 1
  }
done
grep -q '"\.\./SwiftKeras"' "${manifests[0]}" || { echo "the manifest has no path \"../SwiftKeras\" to replace" >&2; exit 1; }
sed "s|\"\.\./SwiftKeras\"|\"$repo\"|" "${manifests[0]}" >"$package/Package.swift"
rm "${manifests[@]}"
cp Scripts/doc-snippets/Prelude.swift "$sources/Prelude.swift"

total=$(wc -l <"$package/blocks.txt")
compiled=$(grep -vc -e ' fragment ' -e ' manifest ' "$package/blocks.txt" || true)
echo "doc snippets: $total swift blocks in ${#documents[@]} documents, $compiled compiled; building $package"
if ! swift build --package-path "$package" --scratch-path "$scratch" --disable-build-manifest-caching -Xswiftc -suppress-warnings >"$package/build.log" 2>&1; then
  # Each error once (the compiler may report it from several jobs), with its source lines.
  awk '/: error: / { if (seen[$0]++) { skip = 1; next } skip = 0; context = 6; print; next }
       context > 0 && !skip { print; context-- }' "$package/build.log" | head -300 >&2
  echo "doc snippets: the build failed (errors point at the Markdown above)" >&2
  exit 1
fi
binary=$scratch/debug/hello

failures=0
runs=0
while read -r id mode location; do
  [ "$mode" = run ] || continue
  [ -e "$sources/Snippet_$id.swift" ] && grep -q "^func snippet$id" "$sources/Snippet_$id.swift" || continue
  runs=$((runs + 1))
  directory=$(mktemp -d "${TMPDIR:-/tmp}/doc-snippet-run.XXXXXX")
  start=$(date +%s%N)
  if (cd "$directory" && timeout "$timeout_seconds" "$binary" "$id") >"$directory.log" 2>&1; then
    elapsed=$((($(date +%s%N) - start) / 1000000))
    printf '  ok     %-48s %d.%03d s\n' "$location" $((elapsed / 1000)) $((elapsed % 1000))
  else
    status=$?
    [ $status -eq 124 ] && reason="took more than $timeout_seconds s" || reason="exit status $status"
    printf '  FAILED %-48s %s; its output:\n' "$location" "$reason"
    tail -20 "$directory.log" | sed 's/^/         /'
    failures=$((failures + 1))
  fi
  rm -rf "$directory" "$directory.log"
done <"$package/blocks.txt"

echo "doc snippets: $compiled compiled, $runs run, $failures failed"
[ $failures -eq 0 ]
