import { useShallow } from 'zustand/react/shallow';
import { pick } from '../../store/pick.ts';
import { sameSubnet } from '../../../../shared/subnet/calc.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { Field } from '../../shell/Field.tsx';
import { useOutcome } from './use-subnet-result.ts';

export function SameView() {
  const t = useT();
  const s = useApp(useShallow((st) => pick(st.subnet, 'sameA', 'sameB', 'sameMask', 'sameMaskB')));
  const set = useApp((st) => st.setSubnet);
  const outcome = useOutcome(
    () => sameSubnet(s.sameA, s.sameB, s.sameMask, s.sameMaskB.trim() === '' ? undefined : s.sameMaskB),
    [s.sameA, s.sameB, s.sameMask, s.sameMaskB],
  );
  const errorFor = (field: string) => (!outcome.ok && outcome.field === field ? outcome.message : null);
  const general = !outcome.ok && !['addressA', 'addressB', 'maskA', 'maskB', 'mask'].includes(outcome.field ?? '') ? outcome.message : null;
  return (
    <div className="subnet-same">
      <div className="field-row">
        <Field id="same-a" label={t('subnet.same.a')} value={s.sameA} onChange={(v) => set({ sameA: v })} error={errorFor('addressA')} />
        <Field id="same-b" label={t('subnet.same.b')} value={s.sameB} onChange={(v) => set({ sameB: v })} error={errorFor('addressB')} />
      </div>
      <div className="field-row">
        <Field
          id="same-mask"
          label={t('subnet.same.mask')}
          value={s.sameMask}
          onChange={(v) => set({ sameMask: v })}
          error={errorFor('maskA') ?? errorFor('mask')}
        />
        <Field id="same-mask-b" label={t('subnet.same.maskB')} value={s.sameMaskB} onChange={(v) => set({ sameMaskB: v })} error={errorFor('maskB')} />
      </div>
      {general && (
        <p className="field-error" role="alert">
          {general}
        </p>
      )}
      {outcome.ok && (
        <div className={`verdict ${outcome.value.same ? 'yes' : 'no'}`} data-testid="same-verdict" data-same={String(outcome.value.same)}>
          <strong>{outcome.value.same ? t('subnet.same.yes') : t('subnet.same.no')}</strong>
          <span className="mono">
            {t('subnet.same.detail', { a: s.sameA.trim(), na: outcome.value.networkA, b: s.sameB.trim(), nb: outcome.value.networkB })}
          </span>
        </div>
      )}
      <p className="muted">{t('subnet.same.why')}</p>
      {s.sameMaskB.trim() !== '' && <p className="muted">{t('subnet.same.twoMasks')}</p>}
    </div>
  );
}
