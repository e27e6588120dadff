import { experimentKindSchema } from '../../../../shared/contract/timeline.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useApp, useT } from '../../store/store-context.tsx';

const experiments = experimentKindSchema.options;

/** One button per experiment between Wirelab's own client and server. */
export function ExperimentsCard() {
  const t = useT();
  const run = useApp((s) => s.runExperiment);
  const busy = useApp((s) => s.timeline.busy);
  return (
    <div className="card tl-card">
      <h3>{t('tl.experiments')}</h3>
      <p className="field-hint">{t('tl.experimentsHint')}</p>
      <div className="tl-exp-buttons">
        {experiments.map((k) => (
          <button key={k} className="button small" disabled={busy} data-testid={`experiment-${k}`} onClick={() => void run(k)}>
            {t(`tl.exp.${k}` as MessageKey)}
          </button>
        ))}
      </div>
    </div>
  );
}
