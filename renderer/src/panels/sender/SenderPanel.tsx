import { useState } from 'react';
import type { SessionInfo } from '../../../../shared/contract/sender.ts';
import { sessionDotClass, shownSessionState } from '../../store/session-state.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { ComposerView } from './ComposerView.tsx';
import { LogView } from './LogView.tsx';
import { NewSessionCard } from './NewSessionCard.tsx';
import { UdpOptions } from './UdpOptions.tsx';
import { GeneratorCard } from './GeneratorCard.tsx';
import { ScriptCard } from './ScriptCard.tsx';
import { HttpCard } from './HttpCard.tsx';
import { ExportPythonButton } from './ExportPythonButton.tsx';
import { PresetsCard } from './PresetsCard.tsx';

/**
 * Every session the backend holds (whichever window opened it), with Close all: a reload loses
 * none, so this is where a user sees what still holds a port.
 */
/** A session's state in words, or "unknown" while the backend cannot be asked. */
function StateBadge({ state, testId }: { state: SessionInfo['state']; testId?: string }) {
  const t = useT();
  const shown = shownSessionState(
    state,
    useApp((s) => s.connection),
  );
  return (
    <span className={`badge state-${shown}`} data-testid={testId}>
      {t(`sender.state.${shown}`)}
    </span>
  );
}

function OpenSessions() {
  const t = useT();
  const sessions = useApp((s) => s.sender.sessions);
  const open = useApp((s) => s.sender.sessionsOpen);
  const setOpen = useApp((s) => s.setSessionsOpen);
  const setActive = useApp((s) => s.setActiveSession);
  const close = useApp((s) => s.closeSession);
  const closeAll = useApp((s) => s.closeAllSessions);
  return (
    <details className="open-sessions" data-testid="open-sessions" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('sender.sessions.title', { n: sessions.length })}</summary>
      {/* Rendered only while open: a closed <details> keeps its buttons in the DOM but out of
          the Tab order, which reads to a keyboard audit as controls it cannot reach. */}
      {open && (
        <>
          <p className="muted small">{t('sender.sessions.hint')}</p>
          <ul>
            {sessions.map((s) => (
              <li key={s.info.id} data-testid="open-sessions-item">
                <span>{t(`sender.kind.${s.info.kind}`)}</span>{' '}
                <span className="mono">
                  {s.info.local}
                  {s.info.remote ? ` → ${s.info.remote}` : ''}
                </span>{' '}
                <StateBadge state={s.info.state} />
                <button className="button small" onClick={() => setActive(s.info.id)}>
                  {t('sender.sessions.show')}
                </button>
                <button className="button small" onClick={() => void close(s.info.id)}>
                  {t('sender.close')}
                </button>
              </li>
            ))}
          </ul>
          <button className="button small danger" data-testid="close-all" onClick={() => void closeAll()}>
            {t('sender.sessions.closeAll')}
          </button>
        </>
      )}
    </details>
  );
}

/**
 * Send→expect scripts and the HTTP composer: they own their connections (no session tab), so
 * they sit above the sessions, folded away until wanted; wide enough for a response.
 */
function ClientTools() {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <details className="client-tools" data-testid="client-tools" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('tools.title')}</summary>
      {open && (
        <div className="client-tools-grid">
          <ScriptCard />
          <HttpCard />
        </div>
      )}
    </details>
  );
}

export function SenderPanel() {
  const t = useT();
  const sessions = useApp((s) => s.sender.sessions);
  const activeId = useApp((s) => s.sender.active);
  // Only the active session's log: a batch for another session does not re-render this panel.
  const log = useApp((s) => (s.sender.active ? s.sender.logs[s.sender.active] : undefined));
  const setActive = useApp((s) => s.setActiveSession);
  const halfClose = useApp((s) => s.halfCloseSession);
  const close = useApp((s) => s.closeSession);
  const setSendTo = useApp((s) => s.setSendTo);
  const watchSession = useApp((s) => s.watchSession);
  const reconnect = useApp((s) => s.reconnectSession);
  const active = sessions.find((s) => s.info.id === activeId) ?? null;
  const connection = useApp((s) => s.connection);
  return (
    <div className="sender-panel" data-testid="sender-panel">
      <div className="sender-side">
        <NewSessionCard />
        <PresetsCard />
        <GeneratorCard />
      </div>
      <div className="sender-main">
        {sessions.length > 0 && (
          <div className="subtabs" role="tablist">
            {sessions.map((s) => (
              // A tablist owns only tabs (WAI-ARIA; axe aria-required-children): the wrapper is
              // presentation and the × a mouse shortcut hidden from assistive tech and Tab.
              // The keyboard closes the selected tab with Delete (APG's deletable tabs), or
              // with the session head's Close and the Open sessions list.
              <span key={s.info.id} className="subtab-wrap" role="presentation">
                <button
                  role="tab"
                  aria-selected={s.info.id === activeId}
                  className={s.info.id === activeId ? 'subtab active' : 'subtab'}
                  data-testid="session-tab"
                  onClick={() => setActive(s.info.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Delete') void close(s.info.id);
                  }}
                >
                  <span
                    className={`status-dot ${sessionDotClass(shownSessionState(s.info.state, connection))}`}
                    data-testid="session-dot"
                    data-state={shownSessionState(s.info.state, connection)}
                    aria-hidden="true"
                  />{' '}
                  {t(`sender.kind.${s.info.kind}`)} <span className="mono small">{s.info.kind === 'tcp-client' ? s.info.remote : s.info.local}</span>
                </button>
                <button
                  className="subtab-close"
                  title={t('sender.tab.close')}
                  aria-hidden="true"
                  tabIndex={-1}
                  data-testid="session-tab-close"
                  onClick={() => void close(s.info.id)}
                >
                  ×
                </button>
              </span>
            ))}
          </div>
        )}
        {sessions.length > 0 && <OpenSessions />}
        <ClientTools />
        {!active && (
          <section className="empty" data-testid="empty-sender">
            <h2>{t('sender.empty.title')}</h2>
            <p className="empty-summary">{t('sender.empty.body')}</p>
          </section>
        )}
        {active && log && (
          <>
            <div className="session-head" data-testid="session-head">
              <span className="mono">
                {active.info.local}
                {active.info.remote ? ` → ${active.info.remote}` : ''}
              </span>
              {active.info.connectMs !== null && <span className="muted">{t('sender.connectedIn', { ms: active.info.connectMs })}</span>}
              <StateBadge state={active.info.state} testId="session-state" />
              <span className="spacer" />
              {active.info.kind === 'tcp-client' && active.info.state === 'open' && (
                <button className="button small" onClick={() => void halfClose(active.info.id)}>
                  {t('sender.halfClose')}
                </button>
              )}
              {active.info.kind === 'tcp-client' && (
                <button className="button small" title={t('sender.reconnectHint')} data-testid="reconnect" onClick={() => void reconnect(active.info.id)}>
                  {t('sender.reconnect')}
                </button>
              )}
              {active.info.kind !== 'udp' && active.info.state !== 'closed' && (
                <button
                  className="button small"
                  title={t('tl.showTimelineHint')}
                  data-testid="show-timeline"
                  onClick={() => void watchSession(active.info.id, active.info.kind as 'tcp-client' | 'tcp-server', active.info.local, active.info.remote)}
                >
                  {t('tl.showTimeline')}
                </button>
              )}
              <ExportPythonButton sessionId={active.info.id} />
              <button className="button small" onClick={() => void close(active.info.id)}>
                {t('sender.close')}
              </button>
            </div>
            {active.info.kind === 'udp' && <UdpOptions key={active.info.id} session={active} />}
            {active.info.kind === 'tcp-server' && (
              <div className="clients" data-testid="clients">
                <span className="muted">{t('sender.clients', { n: active.clients.length })}</span>
                {active.clients.map((c) => (
                  <span key={c.peer} className="chip" data-testid="client" title={t('sender.clientSince', { s: Math.round((Date.now() - c.since) / 1000) })}>
                    {c.peer} · ↓{c.bytesIn} B ↑{c.bytesOut} B
                  </span>
                ))}
                <label className="field-inline">
                  <span>{t('sender.sendTo')}</span>
                  <select data-testid="send-to" value={active.sendTo} onChange={(e) => setSendTo(active.info.id, e.target.value)}>
                    <option value="">{t('sender.allClients')}</option>
                    {active.clients.map((c) => (
                      <option key={c.peer} value={c.peer}>
                        {c.peer}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            )}
            <ComposerView session={active} />
            <LogView session={active} log={log} />
          </>
        )}
      </div>
    </div>
  );
}
