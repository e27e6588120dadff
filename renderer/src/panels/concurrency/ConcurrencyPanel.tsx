import { useEffect } from 'react';
import { concurrencyModels, modelInfo, type ConcurrencyModel } from '../../../../shared/concurrency/models.ts';
import { limits } from '../../../../shared/contract/limits.ts';
import { errorText } from '../../i18n/error-text.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { saveFile } from '../../shell/save-file.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { formatBytes } from '../../../../shared/format/bytes.ts';
import { formatCount } from '../../../../shared/format/number.ts';
import { LiveChart } from './LiveChart.tsx';

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function ConcurrencyPanel() {
  const t = useT();
  const locale = useLocale();
  const cc = useApp((s) => s.concurrency);
  const set = useApp((s) => s.setConcurrency);
  const loadModels = useApp((s) => s.loadModels);
  const chooseModel = useApp((s) => s.chooseModel);
  const startServer = useApp((s) => s.startModelServer);
  const stopServer = useApp((s) => s.stopModelServer);
  const startLoad = useApp((s) => s.startLoadRun);
  const stopLoad = useApp((s) => s.stopLoadRun);
  const connection = useApp((s) => s.connection);

  useEffect(() => {
    if (connection === 'connected') void loadModels();
  }, [loadModels, connection]);

  const server = cc.server?.state === 'running' ? cc.server : null;
  const running = cc.load?.state === 'running';
  const r = cc.load?.report ?? null;
  const stats = cc.load?.server ?? null;
  const python = cc.models?.python ?? true;
  const lessonModel: ConcurrencyModel = cc.loadModel ?? cc.model;
  const fd = cc.models?.fdLimit;
  // One cached Intl formatter per locale: the panel re-renders with every load event.
  const num = (v: number) => formatCount(v, locale);

  return (
    <section className="cc-panel" data-testid="concurrency-panel">
      <div className="cc-layout">
        <div className="cc-side">
          <h2 className="cc-h">{t('cc.models')}</h2>
          {!python && (
            <p className="notice warning" data-testid="cc-no-python">
              <span>{t('cc.noPython')}</span>
            </p>
          )}
          <div className="cc-models" role="radiogroup" aria-label={t('cc.models')}>
            {concurrencyModels.map((m) => {
              const available = cc.models?.models.find((x) => x.id === m)?.available ?? true;
              return (
                <label key={m} className={`cc-model${cc.model === m ? ' active' : ''}${available ? '' : ' disabled'}`} data-testid={`cc-model-${m}`}>
                  <input type="radio" name="cc-model" checked={cc.model === m} disabled={!available} onChange={() => void chooseModel(m)} />
                  <span className="cc-model-name">{t(`cc.model.${m}` as MessageKey)}</span>
                  <span className="muted small">{modelInfo[m].file}</span>
                </label>
              );
            })}
          </div>
          <label className="field" title={t('cc.workHint')}>
            <span>{t('cc.workMs')}</span>
            <input
              className="input"
              type="number"
              min={0}
              max={limits.loadWorkMs}
              step={1}
              value={cc.workMs}
              data-testid="cc-work-ms"
              onChange={(e) => set({ workMs: Math.max(0, Math.min(limits.loadWorkMs, Math.floor(Number(e.target.value) || 0))) })}
            />
          </label>
          <p className="muted small">{t('cc.workHint')}</p>
          <div className="cc-row">
            <button className="button primary" data-testid="cc-server-start" disabled={cc.busy} onClick={() => void startServer()}>
              {server && server.model === cc.model ? t('cc.restart') : t('cc.start')}
            </button>
            <button className="button" data-testid="cc-server-stop" disabled={!server} onClick={() => void stopServer()}>
              {t('cc.stop')}
            </button>
          </div>
          <p className="muted small" data-testid="cc-server-state" role="status">
            {server
              ? t('cc.listening', { model: t(`cc.model.${server.model}` as MessageKey), port: server.port, pid: server.pid }) +
                (server.workMs > 0 ? ` · ${t('cc.workOn', { ms: num(server.workMs) })}` : '')
              : cc.server?.state === 'exited'
                ? t('cc.exited')
                : t('cc.notRunning')}
          </p>
          {cc.server?.error && (
            <p className="field-error" role="alert" data-testid="cc-server-error">
              <code>{cc.server.error.code}</code> {cc.server.error.code === 'FD_SETSIZE' ? t('cc.err.FD_SETSIZE') : cc.server.error.message}
            </p>
          )}
          <div className="cc-row">
            <button className="button small" data-testid="cc-source-toggle" onClick={() => set({ showSource: !cc.showSource })}>
              {cc.showSource ? t('cc.hideSource') : t('cc.viewSource')}
            </button>
            <button
              className="button small"
              data-testid="cc-source-export"
              disabled={!cc.source}
              onClick={() => cc.source && saveFile(cc.source.file, 'text/plain', cc.source.text)}
            >
              {t('cc.exportSource')}
            </button>
          </div>
        </div>

        <div className="cc-main">
          <h2 className="cc-h">{t('cc.load')}</h2>
          <div className="cc-form">
            <label className="field">
              <span>{t('cc.conns')}</span>
              <input
                className="input"
                type="number"
                min={1}
                max={limits.loadConnections}
                value={cc.conns}
                data-testid="cc-conns"
                onChange={(e) => set({ conns: Math.max(1, Math.min(limits.loadConnections, Math.floor(Number(e.target.value) || 1))) })}
              />
            </label>
            <label className="field">
              <span>{t('cc.size')}</span>
              <input
                className="input"
                type="number"
                min={1}
                max={65536}
                value={cc.size}
                data-testid="cc-size"
                onChange={(e) => set({ size: Math.max(1, Math.min(65536, Math.floor(Number(e.target.value) || 1))) })}
              />
            </label>
            <label className="field">
              <span>{t('cc.duration')}</span>
              <input
                className="input"
                type="number"
                min={1}
                max={600}
                value={cc.durationMs / 1000}
                data-testid="cc-duration"
                onChange={(e) => set({ durationMs: Math.max(1, Math.min(600, Number(e.target.value) || 1)) * 1000 })}
              />
            </label>
            <label className="field">
              <span>{t('cc.rate')}</span>
              <input
                className="input"
                type="number"
                min={0}
                value={cc.rate}
                data-testid="cc-rate"
                onChange={(e) => set({ rate: Math.max(0, Number(e.target.value) || 0) })}
              />
            </label>
            <div className="cc-row">
              <button className="button primary" data-testid="cc-load-start" disabled={!server || running || cc.busy} onClick={() => void startLoad()}>
                {t('cc.run')}
              </button>
              <button className="button" data-testid="cc-load-stop" disabled={!running} onClick={() => void stopLoad()}>
                {t('cc.stopRun')}
              </button>
            </div>
          </div>
          {fd && (
            <p className="muted small" data-testid="cc-fd-limit">
              {t('cc.fdLimit', { soft: num(fd.soft), hard: num(fd.hard) })}
            </p>
          )}
          {cc.error && (
            <p className="field-error" role="alert" data-testid="cc-error">
              <code>{cc.error.code}</code> {errorText(locale, cc.error)}
            </p>
          )}
          {cc.load?.error && (
            <p className="field-error" role="alert" data-testid="cc-load-error">
              <code>{cc.load.error.code}</code> {cc.load.error.message}
            </p>
          )}

          <div className="cc-figures" data-testid="cc-figures" data-state={cc.load?.state ?? 'idle'}>
            <Figure label={t('cc.rps')} value={r ? num(running ? r.windowRps : r.rps) : '—'} testid="cc-rps" />
            <Figure label="p50" value={r ? `${ms(r.latencyMs.p50)} ms` : '—'} testid="cc-p50" />
            <Figure label="p90" value={r ? `${ms(r.latencyMs.p90)} ms` : '—'} testid="cc-p90" />
            <Figure label="p99" value={r ? `${ms(r.latencyMs.p99)} ms` : '—'} testid="cc-p99" />
            <Figure label="max" value={r ? `${ms(r.latencyMs.max)} ms` : '—'} testid="cc-max" />
            <Figure
              label={t('cc.established')}
              value={r ? `${num(r.counts.connections.established)} / ${num(r.counts.connections.wanted)}` : '—'}
              testid="cc-established"
            />
            <Figure label={t('cc.answered')} value={r ? num(r.counts.answered) : '—'} testid="cc-answered" />
            <Figure label={t('cc.failed')} value={r ? num(r.counts.failed) : '—'} testid="cc-failed" />
            <Figure label={t('cc.serverProc')} value={stats ? `${stats.processes} / ${stats.threads}` : '—'} testid="cc-server-proc" />
            <Figure label={t('cc.serverMem')} value={stats ? formatBytes(stats.rssBytes) : '—'} testid="cc-server-mem" />
            <Figure label={t('cc.serverCpu')} value={stats ? `${num(stats.cpu)}%` : '—'} testid="cc-server-cpu" />
          </div>
          {r && Object.keys(r.counts.errors).length > 0 && (
            <p className="cc-errors" data-testid="cc-errors">
              {Object.entries(r.counts.errors).map(([code, n]) => (
                <span key={code} className="badge">
                  {code} ×{num(n)}
                </span>
              ))}
            </p>
          )}
          <div className="cc-charts">
            <LiveChart
              testid="cc-chart"
              lines={[
                { label: t('cc.rps'), values: cc.series.map((p) => p.rps), format: (m) => num(Math.round(m)), className: 'cc-line-rps' },
                { label: 'p99', values: cc.series.map((p) => p.p99), format: (m) => `${ms(m)} ms`, className: 'cc-line-p99' },
              ]}
            />
            <LiveChart
              testid="cc-server-chart"
              lines={[
                { label: t('cc.chart.open'), values: cc.series.map((p) => p.open), format: (m) => num(m), className: 'cc-line-open' },
                { label: t('cc.chart.threads'), values: cc.series.map((p) => p.threads ?? 0), format: (m) => num(m), className: 'cc-line-threads' },
                { label: t('cc.chart.rss'), values: cc.series.map((p) => p.rssBytes ?? 0), format: (m) => formatBytes(m), className: 'cc-line-rss' },
                { label: t('cc.chart.cpu'), values: cc.series.map((p) => p.cpu ?? 0), format: (m) => `${num(Math.round(m))}%`, className: 'cc-line-cpu' },
              ]}
            />
          </div>
          <aside className="cc-lesson" data-testid="cc-lesson">
            <h3>{t(`cc.model.${lessonModel}` as MessageKey)}</h3>
            <p>{t(`cc.lesson.${lessonModel}` as MessageKey)}</p>
          </aside>

          {cc.runs.length > 0 && (
            <div className="cc-runs-wrap">
              <table className="table cc-runs" data-testid="cc-runs">
                <thead>
                  <tr>
                    <th>{t('cc.col.model')}</th>
                    <th className="num">{t('cc.conns')}</th>
                    <th className="num">{t('cc.col.work')}</th>
                    <th className="num">{t('cc.rps')}</th>
                    <th className="num">p50</th>
                    <th className="num">p99</th>
                    <th className="num">max</th>
                    <th className="num">{t('cc.answered')}</th>
                    <th className="num">{t('cc.failed')}</th>
                    <th className="num">{t('cc.col.procThreads')}</th>
                    <th className="num">{t('cc.serverMemShort')}</th>
                    <th className="num">{t('cc.col.cpu')}</th>
                    <th>{t('cc.col.errors')}</th>
                  </tr>
                </thead>
                <tbody>
                  {cc.runs.map((run) => (
                    <tr key={run.id} data-testid="cc-run-row">
                      <td>{run.model ? t(`cc.model.${run.model}` as MessageKey) : '?'}</td>
                      <td className="num">{num(run.conns)}</td>
                      <td className="num" data-testid="cc-run-work">
                        {run.workMs > 0 ? `${num(run.workMs)} ms` : '—'}
                      </td>
                      <td className="num">{num(run.report.rps)}</td>
                      <td className="num">{ms(run.report.latencyMs.p50)}</td>
                      <td className="num">{ms(run.report.latencyMs.p99)}</td>
                      <td className="num">{ms(run.report.latencyMs.max)}</td>
                      <td className="num">{num(run.report.counts.answered)}</td>
                      <td className="num">{num(run.report.counts.failed)}</td>
                      <td className="num">{run.peak ? `${run.peak.processes} / ${run.peak.threads}` : '—'}</td>
                      <td className="num">{run.peak ? formatBytes(run.peak.rssBytes) : '—'}</td>
                      <td className="num" data-testid="cc-run-cpu">
                        {run.peak ? `${num(run.peak.cpu)}%` : '—'}
                      </td>
                      <td>
                        {[run.error?.code, run.serverError, ...Object.entries(run.report.counts.errors).map(([c, n]) => `${c} ×${n}`)]
                          .filter(Boolean)
                          .join(', ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </div>
      {cc.showSource && cc.source && (
        <pre className="cc-source" data-testid="cc-source">
          <code>{cc.source.text}</code>
        </pre>
      )}
    </section>
  );
}

function Figure({ label, value, testid }: { label: string; value: string; testid: string }) {
  return (
    <div className="cc-figure">
      <span className="muted small">{label}</span>
      <strong data-testid={testid}>{value}</strong>
    </div>
  );
}
