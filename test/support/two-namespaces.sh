#!/bin/sh
# Run under `unshare -rn` (a user + network namespace, see /work/shared/notes/network-namespaces.md):
# makes a second network namespace "b", a veth pair v0 (here) – v1 (in b), starts the receiver
# probe in b and the sender probe here, and prints the receiver's lines then the sender's.
set -eu
ip link set lo up
unshare -n sleep 30 &
b=$!
rx=
# Whatever happens, the namespace holder and the receiver end with this script.
trap 'kill "$b" ${rx:+"$rx"} 2>/dev/null || true' EXIT
sleep 0.2
ip link add v0 type veth peer name v1
ip link set v1 netns "$b"
ip addr add 10.9.0.1/24 dev v0
ip -6 addr add fd09::1/64 dev v0 nodad
ip link set v0 up
nsenter -t "$b" -n sh -c 'ip link set lo up && ip addr add 10.9.0.2/24 dev v1 && ip -6 addr add fd09::2/64 dev v1 nodad && ip link set v1 up'
out=$(mktemp)
nsenter -t "$b" -n node bin/run-ts.mjs test/support/multicast-probe.ts rx >"$out" &
rx=$!
i=0
until grep -q ready "$out"; do i=$((i + 1)); [ "$i" -lt 300 ] || { echo 'receiver never got ready' >&2; exit 1; }; sleep 0.05; done
node bin/run-ts.mjs test/support/multicast-probe.ts tx >"$out.tx"
wait "$rx"
rx=
cat "$out" "$out.tx"
rm -f "$out" "$out.tx"
