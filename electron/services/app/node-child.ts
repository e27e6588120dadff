/**
 * How this host starts a Node program as a child: the one answer for the labs, the child guard,
 * the emulated links and the concurrency lab's servers.
 *
 * - Plain Node (the CLI, `wirelab serve`, the tests): `process.execPath` is node itself.
 * - Windows Node, Wine's node.exe included (the `*.wine.test.ts` runs): the same, a Windows path
 *   to node.exe; nothing else differs, so nothing is added.
 * - Inside Electron (`process.versions.electron` is set): `process.execPath` is the app, and
 *   running it with a script opens a second app window instead of running the script, unless
 *   ELECTRON_RUN_AS_NODE=1 makes it plain Node (https://www.electronjs.org/docs/latest/api/environment-variables).
 *   That works in a development build only: release builds turn the RunAsNode fuse off
 *   (https://www.electronjs.org/docs/latest/tutorial/fuses), so the shell passes the labs a
 *   utilityProcess launcher of its own and runs no child guard (docs/architecture.md).
 *
 * No loader flags are carried over (process.execArgv: tsx in development): every program
 * started this way is plain JavaScript.
 */

/** What to spawn: `command` with `args`, in `env`. */
export interface NodeChild {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The host to describe; the running process unless a test passes another. */
export interface NodeHost {
  execPath: string;
  versions: Partial<NodeJS.ProcessVersions> & { electron?: string };
  env: NodeJS.ProcessEnv;
}

const thisHost = (): NodeHost => ({ execPath: process.execPath, versions: process.versions, env: process.env });

/** `node script args…` in this host: the executable, its arguments and the environment it needs. */
export function nodeChild(script: string, args: readonly string[] = [], host: NodeHost = thisHost()): NodeChild {
  const env = host.versions.electron ? { ...host.env, ELECTRON_RUN_AS_NODE: '1' } : host.env;
  return { command: host.execPath, args: [script, ...args], env };
}
