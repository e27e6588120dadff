/**
 * IPC channel names for the Electron transport (one invoke channel, as DESIGN.md says). Kept
 * free of imports so the sandboxed preload bundles only these strings.
 */
export const ipcChannels = {
  invoke: 'wirelab:invoke',
  subscribe: 'wirelab:subscribe',
  unsubscribe: 'wirelab:unsubscribe',
  events: 'wirelab:events',
} as const;
