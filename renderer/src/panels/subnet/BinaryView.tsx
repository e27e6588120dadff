import { maskOf } from '../../../../shared/subnet/cidr.ts';
import { bitsOf } from '../../../../shared/subnet/ip.ts';
import { useT } from '../../store/store-context.tsx';

/**
 * The address, the mask and their AND, bit by bit, network bits coloured apart from host bits —
 * the way the course notes teach masks. IPv6 shows 128 bits in two rows of 64.
 */
export function BinaryView({ version, value, prefix }: { version: 4 | 6; value: bigint; prefix: number }) {
  const t = useT();
  const bits = bitsOf(version);
  const mask = maskOf(version, prefix);
  const rows: [string, bigint][] = [
    [t('subnet.binary.address'), value],
    [t('subnet.binary.mask'), mask],
    [t('subnet.binary.network'), value & mask],
  ];
  const group = version === 4 ? 8 : 16;
  const lineBits = version === 4 ? 32 : 64;
  return (
    <section className="binary" aria-label={t('subnet.binary')} data-testid="binary-view">
      <h3>{t('subnet.binary')}</h3>
      <p className="muted">{t('subnet.binary.legend', { net: prefix, host: bits - prefix })}</p>
      <div className="binary-grid">
        {rows.map(([label, v]) => (
          <div key={label} className="binary-row">
            <span className="binary-label">{label}</span>
            <span className="binary-bits">
              {Array.from({ length: bits / lineBits }, (_, line) => (
                <span key={line} className="binary-line">
                  {Array.from({ length: lineBits / group }, (_, g) => {
                    const start = line * lineBits + g * group;
                    return (
                      <span key={g} className="binary-group">
                        {Array.from({ length: group }, (_, b) => {
                          const i = start + b;
                          const bit = (v >> BigInt(bits - 1 - i)) & 1n;
                          return (
                            <span key={b} className={i < prefix ? 'bit net' : 'bit host'}>
                              {bit.toString()}
                            </span>
                          );
                        })}
                      </span>
                    );
                  })}
                </span>
              ))}
            </span>
          </div>
        ))}
      </div>
    </section>
  );
}
