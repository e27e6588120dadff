import { parseCalcInput, calculate, type CalcResult } from '../../../../shared/subnet/calc.ts';
import { groupDigits } from '../../../../shared/subnet/ip.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { BinaryView } from './BinaryView.tsx';
import { typeNamesZh } from './subnet-zh.ts';
import { useOutcome } from './use-subnet-result.ts';
import { Field } from '../../shell/Field.tsx';

const examples = [
  '192.168.7.20/24',
  '10.0.0.1 255.255.255.0',
  '172.16.5.4 0.0.0.255',
  '100.64.1.1/10',
  '10.0.0.0/31',
  '2001:db8::1/64',
  'fe80::1%eth0/64',
  '::ffff:10.0.0.1',
];

export function CalcView() {
  const t = useT();
  const locale = useLocale();
  const input = useApp((s) => s.subnet.calcInput);
  const set = useApp((s) => s.setSubnet);
  const outcome = useOutcome(() => {
    const parsed = parseCalcInput(input);
    return { parsed, result: calculate(parsed) };
  }, [input]);
  const sep = ',';
  return (
    <div className="subnet-calc">
      <Field
        id="calc-input"
        label={t('subnet.input.label')}
        hint={t('subnet.input.hint')}
        value={input}
        onChange={(v) => set({ calcInput: v })}
        error={outcome.ok ? null : outcome.message}
        big
      />
      <div className="chips" aria-label={t('subnet.examples')}>
        <span className="muted">{t('subnet.examples')}:</span>
        {examples.map((e) => (
          <button key={e} className="chip" onClick={() => set({ calcInput: e })}>
            {e}
          </button>
        ))}
      </div>
      {outcome.ok && (
        <>
          <Notes r={outcome.value.result} />
          <ResultGrid
            r={outcome.value.result}
            sep={sep}
            typeName={locale === 'zh-CN' ? (typeNamesZh[outcome.value.result.type] ?? outcome.value.result.typeName) : outcome.value.result.typeName}
            embeddedName={
              outcome.value.result.embeddedType
                ? ((locale === 'zh-CN' ? typeNamesZh[outcome.value.result.embeddedType] : outcome.value.result.embeddedType) ?? null)
                : null
            }
          />
          <BinaryView version={outcome.value.parsed.ip.version} value={outcome.value.parsed.ip.value} prefix={outcome.value.result.prefix} />
        </>
      )}
    </div>
  );
}

function Notes({ r }: { r: CalcResult }) {
  const t = useT();
  return (
    <ul className="rule-notes" data-testid="calc-notes">
      {r.assumed && <li className="note-warn">{t('subnet.assumed', { prefix: r.prefix })}</li>}
      {r.ambiguousMask && <li className="note-warn">{t('subnet.ambiguous', { prefix: r.prefix })}</li>}
      {r.maskKind === 'wildcard' && <li>{t('subnet.wildcardRead', { prefix: r.prefix })}</li>}
      <li>{t(`subnet.rule.${r.rule}`)}</li>
    </ul>
  );
}

function ResultGrid({ r, sep, typeName, embeddedName }: { r: CalcResult; sep: string; typeName: string; embeddedName: string | null }) {
  const t = useT();
  const none = <span className="muted">{t('subnet.none')}</span>;
  const rows: [string, React.ReactNode, string?][] = [
    ['subnet.f.address', r.address, 'address'],
    ...(r.zone ? ([['subnet.f.zone', `%${r.zone}`, 'zone']] as [string, React.ReactNode, string][]) : []),
    ['subnet.f.prefix', `/${r.prefix}`, 'prefix'],
    ['subnet.f.netmask', r.netmask, 'netmask'],
    ['subnet.f.wildcard', r.wildcard, 'wildcard'],
    ['subnet.f.network', r.cidr, 'network'],
    ['subnet.f.broadcast', r.broadcast ?? none, 'broadcast'],
    ['subnet.f.firstHost', r.firstHost, 'firstHost'],
    ['subnet.f.lastHost', r.lastHost, 'lastHost'],
    [
      'subnet.f.addresses',
      <>
        {groupDigits(r.addresses, sep)}
        {r.version === 6 && (
          <span className="muted">
            {' '}
            = 2<sup>{r.addressesPow2}</sup>
          </span>
        )}
      </>,
      'addresses',
    ],
    ['subnet.f.hosts', groupDigits(r.hosts, sep), 'hosts'],
    ...(r.class ? ([['subnet.f.class', r.class, 'class']] as [string, React.ReactNode, string][]) : []),
    [
      'subnet.f.type',
      <>
        {typeName}
        {r.rfc && <span className="muted"> · {r.rfc}</span>}
        {embeddedName && <span className="muted"> · {t('subnet.embedded', { type: embeddedName })}</span>}
      </>,
      'type',
    ],
    ['subnet.f.reverse', <span className="wrap">{r.reverse}</span>, 'reverse'],
  ];
  return (
    <dl className="result-grid" data-testid="calc-result">
      {rows.map(([key, value, id]) => (
        <div key={key} className="result-row" data-field={id}>
          <dt>{t(key as Parameters<typeof t>[0])}</dt>
          <dd className="mono">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
