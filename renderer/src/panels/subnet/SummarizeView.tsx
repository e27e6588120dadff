import { useShallow } from 'zustand/react/shallow';
import { pick } from '../../store/pick.ts';
import { exclude, formatCidr, parseCidr } from '../../../../shared/subnet/cidr.ts';
import { summarize } from '../../../../shared/subnet/plan.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { Field } from '../../shell/Field.tsx';
import { useOutcome } from './use-subnet-result.ts';

export function SummarizeView() {
  const t = useT();
  const s = useApp(useShallow((st) => pick(st.subnet, 'excludeNetwork', 'excludeRemove', 'summarizeText')));
  const set = useApp((st) => st.setSubnet);
  const sum = useOutcome(() => summarize(s.summarizeText.split('\n')), [s.summarizeText]);
  const rest = useOutcome(
    () => exclude(parseCidr(s.excludeNetwork, 'network'), parseCidr(s.excludeRemove, 'exclude')).map(formatCidr),
    [s.excludeNetwork, s.excludeRemove],
  );
  return (
    <div className="subnet-summarize two-col">
      <section>
        <Field
          id="sum-input"
          multiline
          label={t('subnet.sum.label')}
          value={s.summarizeText}
          onChange={(v) => set({ summarizeText: v })}
          error={sum.ok ? null : sum.message}
        />
        {sum.ok && (
          <>
            <h3>{t('subnet.sum.result')}</h3>
            <ul className="cidr-list mono" data-testid="sum-result">
              {sum.value.cidrs.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section>
        <h3>{t('subnet.sum.exclude')}</h3>
        <Field
          id="ex-network"
          label={t('subnet.sum.from')}
          value={s.excludeNetwork}
          onChange={(v) => set({ excludeNetwork: v })}
          error={!rest.ok && rest.field === 'network' ? rest.message : null}
        />
        <Field
          id="ex-remove"
          label={t('subnet.sum.remove')}
          value={s.excludeRemove}
          onChange={(v) => set({ excludeRemove: v })}
          error={!rest.ok && rest.field !== 'network' ? rest.message : null}
        />
        {rest.ok && (
          <>
            <h3>{t('subnet.sum.remains')}</h3>
            <ul className="cidr-list mono" data-testid="exclude-result">
              {rest.value.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}
