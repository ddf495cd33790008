#!/usr/bin/env bash
# Data-parallel training across two "machines" made on this one: two network namespaces joined by
# a veth pair (10.77.0.1 and 10.77.0.2), each with its own hostname, Open MPI over TCP between
# them and nothing else (no shared memory), launched by mpirun as it would launch over ssh. Then
# checks that the two ranks end with one process's weights and History (`mpi-check compare`).
# Needs root (ip netns, unshare) and a built mpi-check; bounded in time, and removes the namespaces,
# the veth pair and its files on exit, whatever happens.
#
#   bash Scripts/mpi-two-hosts.sh                       the check, on .build/debug/mpi-check
#   bash Scripts/mpi-two-hosts.sh BINARY ARGS...        mpirun BINARY ARGS across the two hosts
#                                                       (e.g. .build/release/mpi-check worker bench 64 3)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-.build/debug/mpi-check}")
shift || true
[ -x "$binary" ] || { echo "no executable $binary: swift build --product mpi-check first" >&2; exit 1; }
a=skmpi-a
b=skmpi-b
work=$(mktemp -d)
cleanup() {
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"

ip netns add "$a"
ip netns add "$b"
ip link add skmpi0 netns "$a" type veth peer name skmpi1 netns "$b"
ip -n "$a" addr add 10.77.0.1/24 dev skmpi0
ip -n "$b" addr add 10.77.0.2/24 dev skmpi1
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set skmpi0 up
ip -n "$b" link set skmpi1 up

# Open MPI's remote launcher in place of ssh: runs the daemon's command in the host's namespace,
# under the host's own hostname.
cat > "$work/launch" <<'AGENT'
#!/bin/sh
host=$1
shift
case "$host" in
  10.77.0.1) ns=skmpi-a name=host-a ;;
  10.77.0.2) ns=skmpi-b name=host-b ;;
  *) echo "mpi-two-hosts: unknown host $host" >&2; exit 1 ;;
esac
exec ip netns exec "$ns" unshare --uts /bin/sh -c "hostname $name && $*"
AGENT
chmod +x "$work/launch"

mpirun=(mpirun --allow-run-as-root -np 2 --host 10.77.0.1:1,10.77.0.2:1 --map-by node
  --mca plm_rsh_agent "$work/launch" --mca plm_rsh_no_tree_spawn 1
  --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24
  -x OMP_NUM_THREADS=1)
# mpirun runs in host a's namespace, as on a head node that is also a compute node: it starts the
# rank of 10.77.0.1 itself and that of 10.77.0.2 through the agent. Host b's namespace holds only
# its loopback and the veth end, so the ranks can reach each other over the veth pair alone.
if [ $# -gt 0 ]; then
  timeout 600 ip netns exec "$a" unshare --uts /bin/sh -c 'hostname head && exec "$@"' sh "${mpirun[@]}" "$binary" "$@"
  exit
fi
timeout 300 ip netns exec "$a" unshare --uts /bin/sh -c 'hostname head && exec "$@"' sh \
  "${mpirun[@]}" "$binary" worker train "$work/two" | grep -v '^Epoch\|step' || true
timeout 300 "$binary" compare "$work/two"
