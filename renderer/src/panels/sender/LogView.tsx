import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { SenderEvent, SessionInfo } from '../../../../shared/contract/sender.ts';
import { spacedHex, visibleText } from '../../../../shared/sender/payload.ts';
import { saveFile } from '../../shell/save-file.ts';
import type { PageOutcome, SessionLog, SessionView } from '../../store/sender-slice.ts';
import type { EventDeque } from '../../../../shared/sender/event-deque.ts';
import { lowerBound } from '../../../../shared/sender/event-deque.ts';
import { atStart, goneBeforeStart } from '../../store/log-window.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import type { Locale } from '../../i18n/i18n.ts';
import { senderCodeText } from '../../i18n/sender-text.ts';
import { formatBytes } from '../../../../shared/format/bytes.ts';
import { limits } from '../../../../shared/contract/limits.ts';

const rowHeight = 58;
/** The row above the entries (and below them when the window is not at the tail) that says what scrolling further does. */
const edgeHeight = 30;

/** One log entry as the sender log shows it: time, direction, peer, length, then text and hex (the script view's bytes reuse it). */
export function Entry({ e, start, t, locale }: { e: SenderEvent; start: number; t: ReturnType<typeof useT>; locale: string }) {
  const when = `+${((e.at - start) / 1000).toFixed(3)}s`;
  const wall = new Date(e.at).toLocaleTimeString(undefined, { hour12: false }) + '.' + String(e.at % 1000).padStart(3, '0');
  if (e.type === 'notice' && e.code === 'HTTP_REQUEST' && typeof e.params?.requestLine === 'string')
    return <HttpEntry e={e} when={when} wall={wall} t={t} locale={locale} />;
  if (e.type !== 'chunk' && e.type !== 'message') {
    return (
      <div className={`log-entry marker ${e.type}`} data-testid="log-marker" data-type={e.type} data-code={e.code ?? ''}>
        <span className="log-time" title={wall}>
          {when}
        </span>
        <span className="log-marker-text">
          {t(`sender.ev.${e.type}`)}
          {e.peer ? ` · ${e.peer}` : ''}
          {e.message ? ` — ${senderCodeText(locale as Locale, e.code, e.params, e.message) ?? e.message}` : ''}
        </span>
      </div>
    );
  }
  return (
    <div className={`log-entry ${e.dir}`} data-testid={e.type === 'chunk' ? 'log-chunk' : 'log-message'} data-dir={e.dir}>
      <div className="log-head">
        <span className="log-time" title={wall}>
          {when}
        </span>
        <span className={`log-dir ${e.dir}`}>{e.dir === 'in' ? '←' : '→'}</span>
        <span className="log-peer mono">{e.peer}</span>
        <span className="log-len">{e.truncated ? t('sender.truncated', { n: e.length }) : t('sender.bytes', { n: e.length })}</span>
      </div>
      <div className="log-text mono" data-testid="log-text">
        {visibleText(e.text)}
      </div>
      <div className="log-hex mono" data-testid="log-hex">
        {spacedHex(e.hex)}
      </div>
    </div>
  );
}

/**
 * One request a Wirelab HTTP server answered, parsed (http-dir's HTTP_REQUEST notice): the
 * worded outcome, then the request line and the headers one after another, then the body — the
 * course's request picture (request line, headers, blank line, body) instead of a wall of bytes.
 * The whole request is the row's tooltip; its bytes are in the chunk before it.
 */
function HttpEntry({ e, when, wall, t, locale }: { e: SenderEvent; when: string; wall: string; t: ReturnType<typeof useT>; locale: string }) {
  const p = e.params!;
  const headers = String(p.headers ?? '');
  const body = typeof p.body === 'string' ? p.body : '';
  const full = `${e.peer ?? ''}\n${String(p.requestLine)}\n${headers}\n\n${body}`;
  return (
    <div className="log-entry in http" data-testid="log-http" data-code="HTTP_REQUEST" title={full}>
      <div className="log-head">
        <span className="log-time" title={wall}>
          {when}
        </span>
        <span className="log-dir in">HTTP</span>
        {/* the peer (which connection: keep-alive) is in the tooltip; the outcome needs the room */}
        <span className="log-len" data-testid="http-outcome">
          {senderCodeText(locale as Locale, e.code, e.params, e.message ?? '') ?? e.message}
        </span>
      </div>
      <div className="log-text mono" data-testid="http-request-line">
        <strong>{String(p.requestLine)}</strong>
        <span className="muted"> · {headers.split('\n').join(' · ')}</span>
      </div>
      <div className="log-hex mono" data-testid="http-body">
        {body ? `${t('sender.http.body')}: ${visibleText(body)}` : ' '}
      </div>
    </div>
  );
}

/** Where a column's window stands in the session's log: what its first and last rows say. */
interface Edges {
  /** Changes when the window jumps to the tail: the column follows from the bottom again. */
  tailEpoch: number;
  loading: 'older' | 'newer' | null;
  atStart: boolean;
  /** Entries before the start that the backend's log budget let go. */
  goneBefore: number;
  /** The window tracks the log's newest entry (reading a gap again counts: it ends at the tail once read). */
  atTail: boolean;
}

function Column({
  title,
  entries,
  version,
  start,
  testId,
  note,
  query,
  edges,
  onOlder,
  onNewer,
  onLeaveTail,
}: {
  title: string;
  entries: EventDeque<SenderEvent>;
  version: number;
  start: number;
  testId: string;
  note?: string;
  query: string;
  edges: Edges;
  onOlder: () => Promise<PageOutcome>;
  onNewer: () => Promise<PageOutcome>;
  /** The user scrolled up from the tail: the window stops taking live entries (they are counted, and read when they scroll back down). */
  onLeaveTail: () => void;
}) {
  const t = useT();
  const locale = useLocale();
  const scroller = useRef<HTMLDivElement>(null);
  // With a search, the list shows only matching entries (text or hex, case-insensitive).
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return null;
    const qHex = q.replace(/\s+/g, '');
    const out: number[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries.at(i)!;
      if (e.text.toLowerCase().includes(q) || (qHex && e.hex.includes(qHex)) || (e.message ?? '').toLowerCase().includes(q)) out.push(i);
    }
    return out;
    // The deque is mutated in place and `version` bumps per batch: it is what tells the memo that
    // `entries` has new contents although it is the same object.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [entries, version, query]);
  const shown = matches ? matches.length : entries.length;
  const entryAt = (i: number) => entries.at(matches ? matches[i]! : i)!;
  const virtual = useVirtualizer({
    count: shown,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    paddingStart: edgeHeight,
    paddingEnd: edges.atTail ? 0 : edgeHeight,
  });
  // Follow the newest entry while the user is at the bottom of a window at the tail; stay put
  // if they scrolled up to read (or the window holds older entries).
  const following = useRef(true);
  const lastTop = useRef(0);
  const lastHeight = useRef(0);
  /** The entry at the top of the viewport and how far into it, by seq: kept there when entries come or go above it. */
  const anchor = useRef<{ seq: number; offset: number } | null>(null);
  /** The scrollTop this column wrote itself (an anchor correction), until its scroll event comes: that event is no user scrolling up. */
  const programmatic = useRef<number | null>(null);
  const count = shown;
  // Follow the newest entry at most 10 times a second: scrolling forces layout, and under a
  // flood a batch arrives every frame.
  const lastFollow = useRef(0);
  const followTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const shownRef = useRef(count);
  shownRef.current = count;
  useEffect(() => {
    if (!following.current || !count) return;
    const follow = () => {
      followTimer.current = null;
      lastFollow.current = performance.now();
      if (following.current && shownRef.current) virtual.scrollToIndex(shownRef.current - 1, { align: 'end' });
    };
    const wait = 100 - (performance.now() - lastFollow.current);
    if (wait <= 0) follow();
    else if (!followTimer.current) followTimer.current = setTimeout(follow, wait);
  }, [count, version, virtual]);
  useEffect(
    () => () => {
      if (followTimer.current) clearTimeout(followTimer.current);
    },
    [],
  );
  const edgesRef = useRef(edges);
  edgesRef.current = edges;
  const entryAtRef = useRef(entryAt);
  entryAtRef.current = entryAt;
  /**
   * The edge this column's user scrolled to: only a scroll toward an edge asks for what lies
   * past it. Two columns share one window, and a short column sits at both of its edges at once;
   * if being there were enough, one column reading older entries and the other newer ones would
   * cut each other's end in turn. A page that was refused (the window moved) or could not be
   * asked (another was being read) is asked again while the user stays there; after one that
   * arrived or failed the user scrolls again to go on — asking again at once would page through
   * the whole log when a search matches nothing older (cutting the matches they were reading),
   * and retry a failing read forever.
   */
  const wanted = useRef<'older' | 'newer' | null>(null);
  /** Ask for `wanted` again when the page being read ends (it was refused or not asked). */
  const retry = useRef(false);
  const reachEdges = (el: HTMLDivElement, dir: 'up' | 'down' | null) => {
    const e = edgesRef.current;
    const nearTop = el.scrollTop < edgeHeight + 2 * rowHeight;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < edgeHeight + rowHeight;
    if (dir === 'up') wanted.current = nearTop ? 'older' : null;
    else if (dir === 'down') wanted.current = nearBottom ? 'newer' : null;
    else if ((wanted.current === 'older' && !nearTop) || (wanted.current === 'newer' && !nearBottom)) wanted.current = null;
    // a column that follows the tail never pages
    if (following.current || !wanted.current) return;
    if (e.loading) return void (retry.current = true);
    const dirWanted = wanted.current;
    if (dirWanted === 'older' ? e.atStart : e.atTail) return;
    retry.current = false;
    void (dirWanted === 'older' ? onOlder() : onNewer()).then((outcome) => {
      if (outcome === 'applied' || outcome === 'failed') {
        if (wanted.current === dirWanted) wanted.current = null;
        return;
      }
      // asked again when the page being read ends (the effect below), or now if none is
      retry.current = true;
      if (outcome === 'refused' && scroller.current) reachEdges(scroller.current, null);
    });
  };
  const remember = (el: HTMLDivElement) => {
    const n = shownRef.current;
    if (!n) return (anchor.current = null);
    const i = Math.min(n - 1, Math.max(0, Math.floor((el.scrollTop - edgeHeight) / rowHeight)));
    anchor.current = { seq: entryAtRef.current(i).seq, offset: el.scrollTop - (edgeHeight + i * rowHeight) };
  };
  // A jump to the newest entries: follow them from the bottom, whatever was being read before.
  useLayoutEffect(() => {
    following.current = true;
    anchor.current = null;
    wanted.current = null;
  }, [edges.tailEpoch]);
  // Entries paged in above (or cut above) move every row: put the one the user was reading back where it was.
  useLayoutEffect(() => {
    const el = scroller.current;
    const a = anchor.current;
    if (!el || !a || following.current || !count) return;
    const i = lowerBound({ length: count, at: (k: number) => entryAt(k) }, a.seq, (x) => x.seq);
    const top = edgeHeight + Math.min(i, count - 1) * rowHeight + a.offset;
    if (Math.abs(el.scrollTop - top) >= 1) {
      el.scrollTop = top;
      // the scroll event this write raises is not the user's: it must not pause the window
      programmatic.current = el.scrollTop;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` is what says the deque changed
  }, [version, count, matches]);
  // A page that could not be asked while another was read is asked when that one ends; a window
  // back at the tail with the user at its bottom follows it again.
  useEffect(() => {
    const el = scroller.current;
    if (!el || following.current) return;
    if (edges.atTail && el.scrollHeight - el.scrollTop - el.clientHeight < rowHeight) following.current = true;
    else if (retry.current && !edges.loading) {
      retry.current = false;
      reachEdges(el, null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, edges.loading, edges.atTail]);
  const head =
    edges.loading === 'older'
      ? t('sender.log.loadingOlder')
      : !edges.atStart
        ? t('sender.log.older')
        : edges.goneBefore > 0
          ? t('sender.log.startGone', { n: edges.goneBefore.toLocaleString('en'), budget: formatBytes(limits.senderLogBytes) }, edges.goneBefore)
          : t('sender.log.start');
  return (
    <div className="log-col" data-testid={testId}>
      <h3>
        {title}
        {matches && (
          <span className="muted" data-testid="match-count">
            {' '}
            · {t('sender.search.matches', { n: matches.length })}
          </span>
        )}
      </h3>
      {note && <p className="muted small">{note}</p>}
      {/* Focusable and named, so a keyboard can scroll it (axe scrollable-region-focusable); a region, not role=log, which would announce every entry of a flood. */}
      <div
        className="log-scroll"
        ref={scroller}
        role="region"
        tabIndex={0}
        aria-label={title}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < rowHeight;
          // Only the user scrolls up: entries arriving never move scrollTop back, and content that
          // shrank (a jump, the end row going) clamps it without growing the height. Scrolling up
          // pauses the window, so what they read is not pushed out by the stream.
          const mine = programmatic.current !== null && Math.abs(el.scrollTop - programmatic.current) < 1;
          programmatic.current = null;
          const up = !mine && el.scrollTop < lastTop.current - 1 && el.scrollHeight >= lastHeight.current;
          const down = !mine && el.scrollTop > lastTop.current + 1;
          lastTop.current = el.scrollTop;
          lastHeight.current = el.scrollHeight;
          // At the bottom: following the tail, or (the other column paused the shared window) still
          // sticking to the bottom of what is shown; only this column's user scrolling up stops it.
          if (atBottom) following.current ||= edgesRef.current.atTail;
          else if (up) {
            following.current = false;
            if (edgesRef.current.atTail) onLeaveTail();
          }
          remember(el);
          reachEdges(el, up ? 'up' : down ? 'down' : null);
        }}
      >
        {count === 0 && <p className="muted log-empty">{t('sender.log.empty')}</p>}
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {count > 0 && (
            <div
              className="log-edge muted"
              data-testid="log-edge-start"
              data-state={edges.loading === 'older' ? 'loading' : edges.atStart ? 'start' : 'more'}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: edgeHeight }}
            >
              {head}
            </div>
          )}
          {virtual.getVirtualItems().map((item) => (
            <div key={item.key} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: rowHeight, transform: `translateY(${item.start}px)` }}>
              <Entry e={entryAt(item.index)} start={start} t={t} locale={locale} />
            </div>
          ))}
          {count > 0 && !edges.atTail && (
            <div className="log-edge muted" data-testid="log-edge-end" style={{ position: 'absolute', left: 0, right: 0, bottom: 0, height: edgeHeight }}>
              {edges.loading === 'newer' ? t('sender.log.loadingNewer') : t('sender.log.newer')}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

/**
 * The host's own counters for a session (`sender.counters`, about once a second while they move):
 * exact even when a flood is larger than the log's budget, and the only place the kernel's drops
 * and timed-out rules show.
 */
function HostCounters({ info }: { info: SessionInfo }) {
  const t = useT();
  return (
    <>
      <span className="muted" data-testid="host-counters">
        {t('sender.host.counters', { rx: info.received, rxB: info.receivedBytes, tx: info.sent, txB: info.sentBytes })}
      </span>
      {(info.kernelDropped ?? 0) > 0 && (
        <span className="warn" data-testid="kernel-dropped">
          {t('sender.host.kernelDropped', { n: info.kernelDropped ?? 0 })}
        </span>
      )}
      {info.notLogged > 0 && (
        <span className="muted" data-testid="not-logged">
          {t('sender.host.notLogged', { n: info.notLogged })}
        </span>
      )}
      {info.timedOutRules.length > 0 && (
        <span className="warn" data-testid="rule-timeouts">
          {t('sender.host.ruleTimeouts', { rules: info.timedOutRules.join(', ') })}
        </span>
      )}
    </>
  );
}

export function LogView({ session, log }: { session: SessionView; log: SessionLog }) {
  const t = useT();
  const clear = useApp((s) => s.clearLog);
  const exportLog = useApp((s) => s.exportLog);
  // The backend builds exports from the full bytes it holds (the view has 4 KiB previews).
  const download = async (format: 'text' | 'json' | 'pcap') => {
    const file = await exportLog(session.info.id, format);
    if (file) saveFile(file.name, file.mime, file.data);
  };
  const capacity = useApp((s) => s.settings.senderLogCapacity);
  const loadOlder = useApp((s) => s.loadOlderEntries);
  const loadNewer = useApp((s) => s.loadNewerEntries);
  const jumpToNewest = useApp((s) => s.jumpToNewest);
  const pauseFollow = useApp((s) => s.pauseFollow);
  const edges: Edges = { tailEpoch: log.tailEpoch, loading: log.loading, atStart: atStart(log), goneBefore: goneBeforeStart(log), atTail: log.follow };
  const id = session.info.id;
  const updateSettings = useApp((s) => s.updateSettings);
  const [query, setQuery] = useState('');
  // Re-render once a second so the rate falls to zero when traffic stops.
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const nowSecond = Math.floor(Date.now() / 1000);
  const rate =
    log.rate.second === nowSecond
      ? { m: log.rate.lastMessages, b: log.rate.lastBytes }
      : log.rate.second === nowSecond - 1
        ? { m: log.rate.messages, b: log.rate.bytes }
        : { m: 0, b: 0 };
  return (
    <section className="log">
      <div className="log-bar">
        <span data-testid="counters">{t('sender.counters', { inB: log.bytesIn, outB: log.bytesOut, msgs: log.messagesIn })}</span>
        <span className="muted" data-testid="rate">
          {t('sender.rate', { msgs: rate.m, bytes: rate.b })}
        </span>
        {log.dropped > 0 && <span className="warn">{t('sender.dropped', { n: log.dropped.toLocaleString('en') }, log.dropped)}</span>}
        <HostCounters info={session.info} />
        {!edges.atTail && (
          <button className="button small" data-testid="jump-newest" title={t('sender.log.jumpHint')} onClick={() => void jumpToNewest(id)}>
            {t('sender.log.jump')}
          </button>
        )}
        <input
          className="input search"
          type="search"
          aria-label={t('sender.search')}
          placeholder={t('sender.search')}
          data-testid="log-search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="spacer" />
        <span className="muted">{t('sender.export')}</span>
        <button className="button small" data-testid="export-text" onClick={() => void download('text')}>
          {t('sender.export.text')}
        </button>
        <button className="button small" data-testid="export-json" onClick={() => void download('json')}>
          JSON
        </button>
        <button className="button small" data-testid="export-pcap" title={t('sender.export.pcapHint')} onClick={() => void download('pcap')}>
          pcap
        </button>
        <label className="field-inline" title={t('sender.keepHint')}>
          <span>{t('sender.keep')}</span>
          <select
            aria-label={t('sender.keep')}
            data-testid="log-capacity"
            value={capacity}
            onChange={(e) => void updateSettings({ senderLogCapacity: Number(e.target.value) })}
          >
            {[1000, 10_000, 100_000, 1_000_000].map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString('en')}
              </option>
            ))}
          </select>
        </label>
        <button className="button small" onClick={() => void clear(session.info.id)}>
          {t('sender.clear')}
        </button>
      </div>
      <div className="log-cols">
        <Column
          key={`${id}-chunks`}
          title={t('sender.log.chunks')}
          entries={log.chunks}
          version={log.version}
          start={log.startedAt}
          testId="log-chunks"
          query={query}
          edges={edges}
          onOlder={() => loadOlder(id)}
          onNewer={() => loadNewer(id)}
          onLeaveTail={() => pauseFollow(id)}
        />
        <Column
          title={`${t('sender.log.messages')} · ${session.framing === 'custom' ? session.framingLabel : t(`sender.framing.${session.framing}`)}`}
          key={`${id}-messages`}
          entries={log.messages}
          version={log.version}
          edges={edges}
          onOlder={() => loadOlder(id)}
          onNewer={() => loadNewer(id)}
          onLeaveTail={() => pauseFollow(id)}
          start={log.startedAt}
          testId="log-messages"
          query={query}
          note={session.framing === 'raw' ? t('sender.log.messagesRaw') : undefined}
        />
      </div>
    </section>
  );
}
