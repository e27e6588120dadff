import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { checkHost, checkPort } from '../../shared/sender/endpoint.ts';
import { readTcpPackets, type TcpPacket } from '../../shared/timeline/tcp-packet.ts';
import { readPacketTable } from '../../shared/timeline/packet-table.ts';
import { analyzeStream } from '../../shared/timeline/tcp-analysis.ts';
import { endpointText, groupStreams } from '../../shared/timeline/tcp-streams.ts';
import { timelineDocument, timelineText } from '../../shared/timeline/timeline-document.ts';
import { loopbackInterface, PacketCapture } from '../services/timeline/packet-capture.ts';
import { UsageError, type CliIo } from './cli-io.ts';
import { graphHelp, graphRequest, printGraph } from './timeline-graph.ts';
import { linkCommand } from './timeline-link-command.ts';

export const timelineHelp = `wirelab timeline <file.pcap|file.pcapng> [--json]
wirelab timeline <file> --graph stevens|tcptrace|throughput|rtt|window [--stream N] [--direction client|server] [--json]
wirelab timeline --connect <host> <port> [--send DATA] [--wait MS] [--json]
wirelab timeline --link "rate=2mbit,loss=5%" [--transfer 4MiB] [--write FILE.pcap] [--write-server FILE.pcap] [--json]

Draws every TCP connection in a capture file (tcpdump, Wireshark) as a sequence diagram:
flags, relative seq/ack, length, window, badges, and each end's TCP states.
--connect makes a real connection, captures it with tcpdump (which must be installed and
allowed to capture), sends DATA, waits up to MS ms (default 1000) for replies, closes, and
prints the same document. --json: {"streams": [{"client", "server", "guessed",
"handshakeRttMs", "segments": [...], "states": {"client": [...], "server": [...]}}]};
each segment's "badges" are Wireshark's TCP analysis labels (retransmission, fast-retransmission,
dup-ack with "dupAckNum", out-of-order, zero-window, window-update, ...).
--link runs an experiment over an emulated link (Linux: private network namespaces, no root):
Wirelab's client sends --transfer bytes to its server through a router that limits the rate,
queues and drops; the document adds "link" and "tcpInfo": [{"t", "cwnd", "ssthresh", "rttMs",
"retrans", "deliveryRate"}] (the sender's TCP_INFO every 10 ms, t on the segments' clock).
The link is captured at both ends and the captures joined: each segment adds "arrived" (false:
lost on the link, null: unknown) and "oneWayMs" (null: lost or untimed); the server's segments
the link lost are listed too ("from": "server", "arrived": false, numbered after the client
capture's frames); "states.server" is read from the server's own capture; "linkLoss" counts
{"sent", "lost", "lostPercent", "reverseSent", "reverseLost", "reverseLostPercent"}. When a
tcpdump itself dropped packets, nothing is called lost: "linkLoss" is null and "notice" has
LINK_CAPTURE_DROPPED (also on stderr).
  experiment=lossy|slow|lost-syn|lost-ack|slow-reader   the lesson (default: lossy with loss=, else slow)
  rate=2mbit (none: unlimited)  queue=64kb  loss=5% (client→server)  reverse-loss=1%
  delay=50ms jitter=10ms        sch_netem, or Wirelab's TUN delay line (python3)
--write FILE saves the client's capture (pcap) for Wireshark, --write-server FILE the server's.
${graphHelp}`;

function print(packets: TcpPacket[], json: boolean, io: CliIo): void {
  const streams = groupStreams(packets).map(analyzeStream);
  io.out(json ? JSON.stringify(timelineDocument(streams)) : timelineText(streams));
}

export async function timelineCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      connect: { type: 'boolean' },
      send: { type: 'string' },
      wait: { type: 'string' },
      link: { type: 'string' },
      transfer: { type: 'string' },
      write: { type: 'string' },
      'write-server': { type: 'string' },
      graph: { type: 'string' },
      stream: { type: 'string' },
      direction: { type: 'string' },
    },
  });
  const json = values.json === true;
  const graph = graphRequest(values);
  if (graph && (values.link !== undefined || values.connect)) throw new UsageError('--graph draws a capture file: give the file, not --link or --connect');
  if (values.link !== undefined) {
    if (positionals.length || values.connect) throw new UsageError('--link runs its own experiment: give no file and no --connect');
    return linkCommand(values.link, values.transfer, json, io, values.write, values['write-server']);
  }
  if (values.transfer !== undefined || values.write !== undefined || values['write-server'] !== undefined)
    throw new UsageError('--transfer, --write and --write-server go with --link');
  if (!values.connect) {
    if (positionals.length !== 1) throw new UsageError('timeline needs one capture file (or --connect HOST PORT); try wirelab timeline --help');
    const path = positionals[0]!;
    let bytes: Uint8Array;
    try {
      // A Buffer is a Uint8Array already: wrapping it in another would copy the whole file.
      bytes = readFileSync(path);
    } catch (e) {
      throw new UsageError(`file: cannot read "${path}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    // A graph reads the file as columns (a million packets in well under a second); the document needs the packets as objects.
    const { frames, problem, ...read } = graph ? readPacketTable(bytes) : readTcpPackets(bytes);
    if (problem && frames === 0) throw new UsageError(`file: ${path}: ${problem.message}`);
    if ('table' in read) printGraph(read.table, graph!, json, io);
    else print(read.packets, json, io);
    // What was read is printed; the damage is reported, with where it is, and the exit code says so.
    if (problem) {
      io.err(`${path}: ${problem.message} (at byte ${problem.offset}, after ${problem.framesRead} packets)`);
      return 1;
    }
    return 0;
  }

  const [hostArg, portArg, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (hostArg === undefined || portArg === undefined) throw new UsageError('--connect needs a host and a port');
  const host = checkHost(hostArg);
  const port = checkPort(portArg);
  if (port === 0) throw new UsageError('port: must be 1–65535');
  const waitMs =
    values.wait === undefined
      ? 1000
      : /^\d+$/.test(values.wait) && Number(values.wait) <= 60_000
        ? Number(values.wait)
        : (() => {
            throw new UsageError(`--wait must be 0–60000 ms, not "${values.wait}"`);
          })();
  const { address } = await lookup(host);
  const loopback = address.startsWith('127.') || address === '::1';
  const packets: TcpPacket[] = [];
  const capture = await PacketCapture.start({ port, host: address }, (a) => packets.push(a.packet), {
    iface: loopback ? loopbackInterface() : process.platform === 'linux' ? 'any' : undefined,
  });
  let client: string | null = null;
  try {
    await new Promise<void>((resolve) => {
      const sock = connect({ host: address, port });
      const bound = setTimeout(() => sock.destroy(), waitMs + 5000);
      sock.on('connect', () => {
        client = endpointText(sock.localAddress!, sock.localPort!);
        if (values.send !== undefined) sock.write(values.send);
        setTimeout(() => sock.end(), waitMs);
      });
      sock.on('data', () => {});
      sock.on('error', (e: NodeJS.ErrnoException) => {
        io.err(`connect ${endpointText(address, port)}: ${e.code ?? e.message}`);
        if (sock.localPort) client = endpointText(sock.localAddress ?? address, sock.localPort);
      });
      sock.on('close', () => {
        clearTimeout(bound);
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    await capture.stop();
  }
  // Only our own connection: the filter is on the server's port, which others may be using too.
  const ours = client === null ? packets : packets.filter((p) => endpointText(p.src, p.srcPort) === client || endpointText(p.dst, p.dstPort) === client);
  print(ours, json, io);
  return 0;
}
