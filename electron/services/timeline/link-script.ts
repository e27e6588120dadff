import type { LinkSettings } from '../../../shared/contract/link.ts';

/**
 * The shell script that builds the emulated link and runs one experiment in it. It runs in the
 * namespace `unshare --map-user=1000 -n --keep-caps` made (link-lab.ts), which plays the router R;
 * the client's A and the server's B are two more network namespaces in the same user namespace,
 * each held open by a `sleep` and entered with nsenter:
 *
 *   A client 10.77.1.1 ─ veth ─ ra  R  rb ─ veth ─ 10.77.2.1 B server
 *
 * - Mapping to a non-zero uid keeps the capabilities as ambient ones (--keep-caps) and makes
 *   tcpdump see a non-root user: as "root" it would try to drop to its own user and fail on
 *   setgroups, which an unprivileged user namespace denies (measured; `-Z root` fails the same way).
 * - Rate and queue are tc tbf on R's two egress ports, loss is nftables on R's forward hook
 *   (numgen random, per direction by input port), so the capture in A sees every segment the
 *   client sent, the lost ones too, beside their retransmissions, and the capture in B only
 *   what got through.
 * - GSO is off on every veth (gso_max_segs 1): TCP then sends MSS-sized segments, as on a real
 *   link, instead of 64 KiB super-packets the capture would show as one.
 * - tcpdump gets snaplen 640 and a 16 MiB ring: with the default 256 KiB snaplen, immediate mode's
 *   ring holds a handful of frames and the kernel drops most of a fast transfer (measured: 182 of 326).
 * - A second tcpdump runs in B on b0, the same way: the server's end of the path. A segment in A's
 *   capture and not in B's was dropped by the router (shared/timeline/link-join.ts joins the two).
 */
export interface LinkScriptInput {
  settings: LinkSettings;
  dir: string;
  /** The command line that runs the link program as Node in this host (app/node-child.ts), before its own arguments. */
  node: readonly string[];
  /** The experiment's bound: every program exits by then. */
  boundMs: number;
  /** How delay is made, when asked for: the kernel's netem, or the user-space delay line (link-program.ts). */
  delayBy: 'netem' | 'tun' | null;
  /** The delay line's file, for delayBy 'tun'. */
  delayProgram?: string;
}

export const LINK_CLIENT = '10.77.1.1';
export const LINK_SERVER = '10.77.2.1';
export const LINK_PORT = 5000;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function linkScript({ settings: s, dir, node, boundMs, delayBy, delayProgram }: LinkScriptInput): string {
  const netem = s.delayMs > 0 && delayBy === 'netem';
  const tbf = (dev: string) => {
    if (s.rateKbit === 0 && !netem) return '';
    const lines: string[] = [];
    // burst: at least one full-size frame and about 2 ms at the rate (tc-tbf(8): burst ≥ rate/HZ).
    const burst = s.rateKbit === 0 ? 0 : Math.max(3028, Math.round((s.rateKbit * 1000) / 8 / 500));
    if (s.rateKbit !== 0) lines.push(`tc qdisc add dev ${dev} root handle 1: tbf rate ${s.rateKbit}kbit burst ${burst} limit ${s.queueBytes} || fail tc`);
    if (netem) {
      const parent = s.rateKbit !== 0 ? 'parent 1:1 handle 10:' : 'root';
      lines.push(`tc qdisc add dev ${dev} ${parent} netem delay ${s.delayMs}ms${s.jitterMs ? ` ${s.jitterMs}ms` : ''} limit 100000 || fail netem`);
    }
    return lines.join('\n');
  };
  const rules: string[] = [];
  const rule = (r: string) => rules.push(`nft add rule inet wirelab link ${r} || fail nft`);
  if (s.lossPercent > 0) rule(`iifname ra numgen random mod 100 '<' ${Math.round(s.lossPercent)} drop`);
  if (s.reverseLossPercent > 0) rule(`iifname rb numgen random mod 100 '<' ${Math.round(s.reverseLossPercent)} drop`);
  if (s.experiment === 'lossy') {
    // The tail: the client's segment carrying FIN (and the last data) is dropped three times, so no
    // duplicate ACK can report it. The tail loss probe sends it again first (RFC 8985: with one
    // segment out, after 2·SRTT plus 200 ms for a delayed ACK), then the RTO, then the RTO doubled
    // (RFC 6298 §5.5). One set per drop: a tuple in set k has been dropped k times.
    const drops = 3;
    for (let k = 1; k <= drops; k++) rules.push(`nft add set inet wirelab fin${k} '{ type ipv4_addr . inet_service; }' || fail nft`);
    rule(`iifname ra tcp flags '&' fin == fin ip saddr . tcp sport @fin${drops} accept`);
    for (let k = drops - 1; k >= 1; k--)
      rule(`iifname ra tcp flags '&' fin == fin ip saddr . tcp sport @fin${k} add @fin${k + 1} '{ ip saddr . tcp sport }' drop`);
    rule(`iifname ra tcp flags '&' fin == fin add @fin1 '{ ip saddr . tcp sport }' drop`);
  }
  if (s.experiment === 'lost-syn') {
    // The first SYN of each connection, exactly: its 4-tuple goes into a set as it is dropped, so
    // the retransmitted SYN (same ISN, same ports) passes.
    rules.push(`nft add set inet wirelab seen '{ type ipv4_addr . inet_service; }' || fail nft`);
    rule(`iifname ra tcp flags '&' '(syn|ack)' == syn ip saddr . tcp sport @seen accept`);
    rule(`iifname ra tcp flags '&' '(syn|ack)' == syn add @seen '{ ip saddr . tcp sport }' drop`);
  }
  if (s.experiment === 'lost-ack') {
    // The handshake's final ACK: the client's first segment with only ACK set (it sends nothing
    // else until the server has spoken), once per connection.
    rules.push(`nft add set inet wirelab seen '{ type ipv4_addr . inet_service; }' || fail nft`);
    rule(`iifname ra tcp flags '&' '(syn|ack|fin|rst|psh)' == ack ip saddr . tcp sport @seen accept`);
    rule(`iifname ra tcp flags '&' '(syn|ack|fin|rst|psh)' == ack add @seen '{ ip saddr . tcp sport }' drop`);
  }
  const nft = rules.length
    ? [`nft add table inet wirelab || fail nft`, `nft add chain inet wirelab link '{ type filter hook forward priority 0; }' || fail nft`, ...rules].join('\n')
    : '';
  // The delay line: what arrives from A is routed into dl0 and comes out of dl1 delayed, then goes
  // on to B by the main table; B's answers go through dl2 → dl3 the same way (policy routing by
  // the input port). rp_filter would drop what comes out of dl1/dl3 (the source is routed elsewhere).
  const delayLine =
    s.delayMs > 0 && delayBy === 'tun'
      ? `python3 ${q(delayProgram ?? '')} ${s.delayMs} ${s.jitterMs} & DL=$!
PIDS="$PIDS $DL"
n=0; until ip link show dl3 >/dev/null 2>&1; do n=$((n+1)); [ $n -gt 200 ] && fail delay-line; kill -0 $DL 2>/dev/null || fail delay-line; sleep 0.025; done
for d in dl0 dl1 dl2 dl3; do ip link set $d up || fail delay-line; done
for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > $f; done
ip rule add iif ra lookup 100 && ip route add 10.77.2.0/24 dev dl0 table 100 || fail delay-line
ip rule add iif rb lookup 101 && ip route add 10.77.1.0/24 dev dl2 table 101 || fail delay-line`
      : '';
  const args = (mode: string, host: string) => [...node.map(q), mode, s.experiment, host, LINK_PORT, s.transferBytes, boundMs].join(' ');
  // After the client ends: 0.2 s for the last segments on an undelayed link, plus the link's one-way
  // delay and jitter (netem's and the delay line's at most); then up to 1 s more, polled every 0.1 s,
  // while B's capture still grows (a loaded machine's delay line runs late).
  const settleSec = (0.2 + (s.delayMs + s.jitterMs) / 1000).toFixed(3);
  const settlePolls = 10;
  // A slow reader needs a small receive buffer, or Linux's autotuning grows the window past what the transfer fills.
  const rmem = s.experiment === 'slow-reader' ? `sysctl -qw net.ipv4.tcp_rmem='4096 16384 32768' || fail sysctl` : ':';
  return `set -u
D=${q(dir)}
fail() { echo "{\\"type\\":\\"setupFailed\\",\\"step\\":\\"$1\\"}"; exit 4; }
PIDS=""
trap 'kill $PIDS 2>/dev/null' EXIT
ip link set lo up || fail ip
echo 1 > /proc/sys/net/ipv4/ip_forward || fail forward
unshare -n sleep ${Math.ceil(boundMs / 1000) + 5} & A=$!
unshare -n sleep ${Math.ceil(boundMs / 1000) + 5} & B=$!
PIDS="$A $B"
sleep 0.05
n=0; until nsenter -t $A -n true 2>/dev/null && nsenter -t $B -n true 2>/dev/null; do n=$((n+1)); [ $n -gt 100 ] && fail nsenter; sleep 0.02; done
ip link add ra type veth peer name a0 || fail veth
ip link add rb type veth peer name b0 || fail veth
ip link set a0 netns $A && ip link set b0 netns $B || fail veth
for d in ra rb; do ip link set $d gso_max_segs 1 gso_max_size 1514 up || fail ip; done
ip addr add 10.77.1.254/24 dev ra && ip addr add 10.77.2.254/24 dev rb || fail ip
nsenter -t $A -n sh -c 'ip link set lo up && ip link set a0 gso_max_segs 1 gso_max_size 1514 up && ip addr add ${LINK_CLIENT}/24 dev a0 && ip route add default via 10.77.1.254' || fail ip
nsenter -t $B -n sh -c 'ip link set lo up && ip link set b0 gso_max_segs 1 gso_max_size 1514 up && ip addr add ${LINK_SERVER}/24 dev b0 && ip route add default via 10.77.2.254' || fail ip
${tbf('ra')}
${tbf('rb')}
${nft}
${delayLine}
nsenter -t $B -n sh -c ${q(rmem)}
nsenter -t $B -n ${args('server', LINK_SERVER)} & S=$!
PIDS="$PIDS $S"
nsenter -t $A -n tcpdump -i a0 -n -s 640 -B 16384 -U --immediate-mode -w - tcp port ${LINK_PORT} > "$D/capture.pcap" 2> "$D/tcpdump.err" & T=$!
nsenter -t $B -n tcpdump -i b0 -n -s 640 -B 16384 -U --immediate-mode -w - tcp port ${LINK_PORT} > "$D/server.pcap" 2> "$D/tcpdump-server.err" & U=$!
PIDS="$PIDS $T $U"
n=0; until grep -q listening "$D/tcpdump.err"; do n=$((n+1)); [ $n -gt 200 ] && fail tcpdump; kill -0 $T 2>/dev/null || fail tcpdump; sleep 0.025; done
n=0; until grep -q listening "$D/tcpdump-server.err"; do n=$((n+1)); [ $n -gt 200 ] && fail tcpdump-server; kill -0 $U 2>/dev/null || fail tcpdump-server; sleep 0.025; done
n=0; until nsenter -t $B -n ss -Hltn "sport = :${LINK_PORT}" | grep -q LISTEN; do n=$((n+1)); [ $n -gt 200 ] && fail server; sleep 0.025; done
echo '{"type":"ready"}'
nsenter -t $A -n ${args('client', LINK_SERVER)}
echo "{\\"type\\":\\"clientExit\\",\\"status\\":$?}"
n=0; while kill -0 $S 2>/dev/null && [ $n -lt 40 ]; do n=$((n+1)); sleep 0.05; done
# The client's last ACK left A as it ended and is still on the link: it reaches B's capture one
# delay (plus jitter) later. Wait that long, then until B's file has stopped growing (bounded), so
# that a late ACK is not taken for one the link lost; then each tcpdump flushes what it holds and ends.
sleep ${settleSec}
n=0; last=-1; size=$(wc -c < "$D/server.pcap"); while [ "$size" != "$last" ] && [ $n -lt ${settlePolls} ]; do n=$((n+1)); last=$size; sleep 0.1; size=$(wc -c < "$D/server.pcap"); done
kill $T $U; wait $T; wait $U
echo '{"type":"done"}'
`;
}

/** A script that answers whether the link can be made here and whether the kernel has netem. */
export const linkProbeScript = `set -u
ip link set lo up || { echo 'ip link: failed' >&2; exit 5; }
ip link add ra type veth peer name rb || { echo 'veth: failed' >&2; exit 5; }
tc qdisc add dev ra root tbf rate 1mbit burst 3028 limit 10000 || { echo 'tc tbf: failed' >&2; exit 5; }
nft add table inet wirelab || { echo 'nft: failed' >&2; exit 5; }
unshare -n true || { echo 'nested network namespace: failed' >&2; exit 5; }
if tc qdisc add dev rb root netem delay 1ms 2>/dev/null; then echo netem=yes; else echo netem=no; fi
# Without netem: can a TUN device be made here, for the user-space delay line?
if python3 -c "import fcntl, os, struct; fd = os.open('/dev/net/tun', os.O_RDWR); fcntl.ioctl(fd, 0x400454CA, struct.pack('16sH', b'wlprobe', 0x1001))" 2>/dev/null; then echo tun=yes; else echo tun=no; fi
`;
