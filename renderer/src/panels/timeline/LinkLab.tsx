import { useEffect, useState } from 'react';
import { WirelabError } from '../../../../shared/contract/errors.ts';
import { linkExperimentSchema, type LinkExperiment } from '../../../../shared/contract/link.ts';
import { linkExperimentDefaults, linkSpecText, parseLinkSpec } from '../../../../shared/timeline/link-spec.ts';
import { formatBytes } from '../../../../shared/format/bytes.ts';
import { codeText, errorText } from '../../i18n/error-text.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';

const experiments = linkExperimentSchema.options;

interface Form {
  rate: string;
  queue: string;
  loss: string;
  reverseLoss: string;
  delay: string;
  jitter: string;
  transfer: string;
}

/** The form's text for an experiment's defaults (tc's units, as the CLI's --link takes them). */
function formOf(e: LinkExperiment): Form {
  const d = linkExperimentDefaults[e];
  return {
    rate: d.rateKbit === 0 ? 'none' : d.rateKbit % 1000 === 0 ? `${d.rateKbit / 1000}mbit` : `${d.rateKbit}kbit`,
    queue: `${d.queueBytes}`,
    loss: String(d.lossPercent),
    reverseLoss: String(d.reverseLossPercent),
    delay: String(d.delayMs),
    jitter: String(d.jitterMs),
    transfer: formatBytes(d.transferBytes).replace(/\s+/g, ''),
  };
}

/**
 * The emulated-link experiments (issue 16): pick a lesson, adjust its link, run it. The run is a
 * timeline source like the loopback experiments, so the lanes and graphs draw it. Where the
 * private network cannot be made, the card says what forbids it and how to change that.
 */
export function LinkLab() {
  const t = useT();
  const locale = useLocale();
  const status = useApp((s) => s.timeline.linkStatus);
  const busy = useApp((s) => s.timeline.busy);
  const load = useApp((s) => s.loadLinkStatus);
  const run = useApp((s) => s.runLinkExperiment);
  const [experiment, setExperiment] = useState<LinkExperiment>('lossy');
  const [form, setForm] = useState<Form>(() => formOf('lossy'));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!status) void load();
  }, [status, load]);

  const choose = (e: LinkExperiment) => {
    setExperiment(e);
    setForm(formOf(e));
    setError(null);
  };
  // Without a rate there is no bottleneck to queue at: the queue field waits for one.
  const field = (key: keyof Form, label: MessageKey, hint?: string, disabled = false) => (
    <label className="tl-link-field">
      <span>{t(label)}</span>
      <input
        className="input"
        value={form[key]}
        disabled={disabled}
        title={hint}
        data-testid={`link-${key}`}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      />
    </label>
  );
  const start = () => {
    // The CLI's parser and the contract's schema: one set of rules and messages for both.
    let settings;
    try {
      const spec = `experiment=${experiment},rate=${form.rate},queue=${form.queue},loss=${form.loss},reverse-loss=${form.reverseLoss},delay=${form.delay},jitter=${form.jitter}`;
      settings = parseLinkSpec(spec, form.transfer);
    } catch (e) {
      if (e instanceof WirelabError) return setError(errorText(locale, e.toData()));
      throw e;
    }
    setError(null);
    void run(settings, `${t(`tl.link.exp.${experiment}` as MessageKey)} · ${linkSpecText(settings).replace(/^experiment=[^,]+,/, '')}`);
  };

  return (
    <div className="card tl-card tl-link" data-testid="link-lab">
      <h3>{t('tl.link.title')}</h3>
      <p className="field-hint">{t('tl.link.hint')}</p>
      {!status && <p className="muted small">{t('tl.link.checking')}</p>}
      {status && !status.available && (
        <p className="notice warning" data-testid="link-off" data-code={status.code ?? undefined}>
          {(status.code && codeText(locale, status.code, status.params ?? {})) ?? status.reason}
        </p>
      )}
      {status?.available && (
        <>
          <div className="tl-exp-buttons" role="radiogroup" aria-label={t('tl.link.experiment')}>
            {experiments.map((e) => (
              <button
                key={e}
                role="radio"
                aria-checked={e === experiment}
                className={`button small${e === experiment ? ' primary' : ''}`}
                data-testid={`link-exp-${e}`}
                onClick={() => choose(e)}
              >
                {t(`tl.link.exp.${e}` as MessageKey)}
              </button>
            ))}
          </div>
          <p className="tl-link-lesson" data-testid="link-lesson">
            {t(`tl.link.lesson.${experiment}` as MessageKey)}
          </p>
          <div className="tl-link-fields">
            {field('rate', 'tl.link.rate', t('tl.link.rateHint'))}
            {field('queue', 'tl.link.queue', undefined, /^(none|off|unlimited)$/i.test(form.rate.trim()))}
            {field('loss', 'tl.link.loss')}
            {field('reverseLoss', 'tl.link.reverseLoss')}
            {field('delay', 'tl.link.delay', undefined, !status.delay)}
            {field('jitter', 'tl.link.jitter', undefined, !status.delay)}
            {field('transfer', 'tl.link.transfer')}
          </div>
          {!status.delay && <p className="muted small">{t('tl.link.delayOff')}</p>}
          {status.delayBy === 'tun' && <p className="muted small">{t('tl.link.delayTun')}</p>}
          {error && (
            <p className="field-error" role="alert" data-testid="link-error">
              {error}
            </p>
          )}
          <button className="button small primary" disabled={busy} data-testid="link-run" onClick={start}>
            {t('tl.link.run')}
          </button>
        </>
      )}
    </div>
  );
}
