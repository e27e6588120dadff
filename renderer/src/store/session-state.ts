import type { SessionInfo } from '../../../shared/contract/sender.ts';
import type { ConnectionState } from '../client/contract-client.ts';

/** What a session tab shows: the backend's last word, or "unknown" while there is no backend to ask. */
export type ShownSessionState = SessionInfo['state'] | 'unknown';

/**
 * The backend owns the sessions (docs/architecture.md): while the connection to it is lost,
 * the page cannot know whether a session is still open (the host may have stopped and taken
 * every socket with it), so it shows the state as unknown instead of a green dot it last heard.
 * After the reconnect, syncSessions brings the real states back.
 */
export function shownSessionState(state: SessionInfo['state'], connection: ConnectionState): ShownSessionState {
  return connection === 'connected' ? state : 'unknown';
}

/** The dot beside a tab: green open, amber half-closed, red closed, grey unknown. */
export function sessionDotClass(shown: ShownSessionState): string {
  return shown === 'open' ? 'connected' : shown === 'half-closed' ? 'connecting' : shown === 'closed' ? 'disconnected' : 'unknown';
}
