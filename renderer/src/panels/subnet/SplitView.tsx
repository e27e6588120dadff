import { useShallow } from 'zustand/react/shallow';
import { pick } from '../../store/pick.ts';
import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { groupDigits } from '../../../../shared/subnet/ip.ts';
import { lazySplit, type SplitBy } from '../../../../shared/subnet/plan.ts';
import { SubnetError } from '../../../../shared/subnet/subnet-error.ts';
import type { SplitMode } from '../../store/subnet-slice.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { Field } from '../../shell/Field.tsx';
import { useOutcome } from './use-subnet-result.ts';

function splitBy(mode: SplitMode, value: string): SplitBy {
  const text = value.trim().replace(/^\//, '');
  const whole = (v: string, field: string) => {
    if (!/^\d+$/.test(v.trim())) throw new SubnetError('whole-number', `${field}: "${v}" is not a whole number`, field, { v });
    return Number(v.trim());
  };
  if (mode === 'prefix') return { prefix: whole(text, 'prefix') };
  if (mode === 'count') return { count: whole(text, 'count') };
  return {
    hosts: text
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((h) => whole(h, 'hosts')),
  };
}

const rowHeight = 32;

export function SplitView() {
  const t = useT();
  const s = useApp(useShallow((st) => pick(st.subnet, 'splitMode', 'splitNetwork', 'splitValue')));
  const set = useApp((st) => st.setSubnet);
  const outcome = useOutcome(() => lazySplit(s.splitNetwork, splitBy(s.splitMode, s.splitValue)), [s.splitNetwork, s.splitMode, s.splitValue]);
  const scroller = useRef<HTMLDivElement>(null);
  const count = outcome.ok ? outcome.value.count : 0;
  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 12 });
  const networkError = !outcome.ok && outcome.field === 'network' ? outcome.message : null;
  const valueError = !outcome.ok && outcome.field !== 'network' ? outcome.message : null;
  const vlsm = s.splitMode === 'hosts';
  return (
    <div className="subnet-split">
      <div className="field-row">
        <Field id="split-network" label={t('subnet.split.network')} value={s.splitNetwork} onChange={(v) => set({ splitNetwork: v })} error={networkError} />
        <div className="field">
          <label htmlFor="split-mode">{t('subnet.split.by')}</label>
          <select id="split-mode" value={s.splitMode} onChange={(e) => set({ splitMode: e.target.value as SplitMode })}>
            {(['prefix', 'count', 'hosts'] as const).map((m) => (
              <option key={m} value={m}>
                {t(`subnet.split.mode.${m}`)}
              </option>
            ))}
          </select>
        </div>
        <Field
          id="split-value"
          label={t(`subnet.split.mode.${s.splitMode}`)}
          placeholder={t(`subnet.split.value.${s.splitMode}`)}
          value={s.splitValue}
          onChange={(v) => set({ splitValue: v })}
          error={valueError}
        />
      </div>
      {vlsm && <p className="muted">{t('subnet.split.vlsmNote')}</p>}
      {outcome.ok && (
        <>
          <p className="split-summary" data-testid="split-count">
            {t('subnet.split.count', { count: groupDigits(String(outcome.value.count)) }, Number(outcome.value.count))}
          </p>
          <div className="vtable" role="table" aria-rowcount={count + 1}>
            <div className={`vrow vhead${vlsm ? ' vlsm' : ''}`} role="row" aria-rowindex={1}>
              <span role="columnheader">{t('subnet.split.col.n')}</span>
              <span role="columnheader">{t('subnet.split.col.cidr')}</span>
              <span role="columnheader">{t('subnet.split.col.first')}</span>
              <span role="columnheader">{t('subnet.split.col.last')}</span>
              <span role="columnheader" className="num">
                {t('subnet.split.col.hosts')}
              </span>
              {vlsm && (
                <span role="columnheader" className="num">
                  {t('subnet.split.col.requested')}
                </span>
              )}
            </div>
            {/* Focusable so the list scrolls from the keyboard (its rows hold no control to tab to). */}
            <div className="vbody" ref={scroller} data-testid="split-scroller" role="rowgroup" tabIndex={0} aria-label={t('subnet.split.rows')}>
              <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
                {virtual.getVirtualItems().map((item) => {
                  const row = outcome.value.rowAt(item.index);
                  return (
                    <div
                      key={item.key}
                      className={`vrow mono${vlsm ? ' vlsm' : ''}`}
                      role="row"
                      aria-rowindex={item.index + 2}
                      data-testid="split-row"
                      style={{ position: 'absolute', top: 0, left: 0, right: 0, height: rowHeight, transform: `translateY(${item.start}px)` }}
                    >
                      <span role="cell" className="muted">
                        {item.index + 1}
                      </span>
                      <span role="cell">{row.cidr}</span>
                      <span role="cell">{row.first}</span>
                      <span role="cell">{row.last}</span>
                      <span role="cell" className="num">
                        {groupDigits(row.hosts)}
                      </span>
                      {vlsm && (
                        <span role="cell" className="num">
                          {row.requested}
                        </span>
                      )}
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
          {outcome.value.unused.length > 0 && (
            <p className="unused" data-testid="split-unused">
              <strong>{t('subnet.split.unused')}:</strong> <span className="mono">{outcome.value.unused.join('  ')}</span>
            </p>
          )}
        </>
      )}
    </div>
  );
}
