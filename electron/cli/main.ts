import { parseArgs } from 'node:util';
import { serveCommand, serveHelp } from './serve-command.ts';
import { blastCommand, blastHelp, listenCommand, listenHelp, sendCommand, sendHelp } from './sender-commands.ts';
import { calcCommand, calcHelp, sameCommand, sameHelp, splitCommand, splitHelp, summarizeCommand, summarizeHelp } from './subnet-commands.ts';
import { WirelabError } from '../../shared/contract/errors.ts';
import { isInputCode } from '../../shared/contract/codes.ts';
import { psCommand, psHelp } from './ps-command.ts';
import { timelineCommand, timelineHelp } from './timeline-command.ts';
import { labCommand, labHelp, loadCommand, loadHelp } from './concurrency-commands.ts';
import { UsageError, type CliIo } from './cli-io.ts';
import { runCommand, runHelp } from './run-command.ts';
import { httpCommand, httpHelp } from './http-command.ts';

export const mainHelp = `wirelab — a network toolbox (packet sender, subnet calculator, handshake timeline, processes, concurrency)

Usage: wirelab <command> [options]

Commands:
  serve     serve the Wirelab UI to a browser on 127.0.0.1
  send      send TCP or UDP data and show the replies, raw and framed
  listen    a TCP or UDP server that prints (and optionally echoes) what arrives
  run       run a send→expect script (steps on one connection), exit 1 when a step fails
  http      one HTTP/1.1 request over plain TCP: the exact bytes sent, the response parsed
  blast     a traffic generator: N packets, as fast as possible or at a rate
  calc      subnet of an address: network, broadcast, hosts, type (IPv4 and IPv6)
  same      are two addresses in the same subnet?
  split     split a network by prefix, count or host counts (VLSM)
  summarize the fewest CIDRs covering networks, addresses or ranges
  timeline  TCP connections in a capture file, or a live one, as a sequence diagram with states
  ps        processes, one process's threads, or sockets with their owners (Linux, Windows, macOS)
  lab       start one of the course's server models (blocking … selectors, asyncio, node)
  load      a TCP load generator: N connections, latency percentiles, errors by code
  help      show help for a command (wirelab help serve)

Every command takes --json: then stdout carries JSON only, and errors go to stderr with a
non-zero exit code.`;

const helps: Record<string, string> = {
  serve: serveHelp,
  send: sendHelp,
  listen: listenHelp,
  run: runHelp,
  http: httpHelp,
  blast: blastHelp,
  calc: calcHelp,
  same: sameHelp,
  split: splitHelp,
  summarize: summarizeHelp,
  ps: psHelp,
  timeline: timelineHelp,
  lab: labHelp,
  load: loadHelp,
};

/** Runs one command line; returns the exit code. Errors never escape as stack traces. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      io.out(topic && helps[topic] ? helps[topic] : mainHelp);
      return 0;
    }
    if (command === '--version' || command === '-v') {
      const { packageVersion } = await import('../services/backend.ts');
      io.out(packageVersion());
      return 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      if (!helps[command]) throw new UsageError(`unknown command "${command}" (try wirelab --help)`);
      io.out(helps[command]);
      return 0;
    }
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({
          args: rest,
          options: {
            host: { type: 'string' },
            port: { type: 'string' },
            'data-dir': { type: 'string' },
            'allow-remote': { type: 'boolean' },
            json: { type: 'boolean' },
          },
          strict: true,
          allowPositionals: false,
        });
        return await serveCommand(values, io);
      }
      case 'send':
        return await sendCommand(rest, io);
      case 'listen':
        return await listenCommand(rest, io);
      case 'http':
        return await httpCommand(rest, io);
      case 'run':
        return await runCommand(rest, io);
      case 'blast':
        return await blastCommand(rest, io);
      case 'ps':
        return await psCommand(rest, io);
      case 'timeline':
        return await timelineCommand(rest, io);
      case 'load':
        return await loadCommand(rest, io);
      case 'lab':
        return await labCommand(rest, io);
      case 'calc':
        return calcCommand(rest, io);
      case 'same':
        return sameCommand(rest, io);
      case 'split':
        return splitCommand(rest, io);
      case 'summarize':
        return summarizeCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${command}" (try wirelab --help)`);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options.
    const code = (err as NodeJS.ErrnoException).code ?? '';
    // Bad input caught by a service (an octet over 255 …) is the user's to fix, like a usage error.
    const usage =
      err instanceof UsageError ||
      code.startsWith('ERR_PARSE_ARGS') ||
      (err instanceof WirelabError && (err.code === 'INVALID_INPUT' || isInputCode(err.code)));
    io.err(`wirelab${command ? ` ${command}` : ''}: ${usage ? message : `unexpected error: ${message}`}`);
    return usage ? 2 : 1;
  }
}
