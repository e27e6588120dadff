import { useEffect } from 'react';
import { useApp, useT } from '../../store/store-context.tsx';

export function InterfacesView() {
  const t = useT();
  const list = useApp((s) => s.subnet.interfaces);
  const error = useApp((s) => s.subnet.interfacesError);
  const load = useApp((s) => s.loadInterfaces);
  const pick = useApp((s) => s.calculateAddress);
  useEffect(() => {
    if (list === null) void load();
  }, [list, load]);
  return (
    <div className="subnet-interfaces">
      <div className="toolbar">
        <button className="button" onClick={() => void load()}>
          {t('subnet.if.refresh')}
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {list === null && !error && <p className="muted">{t('loading')}</p>}
      {list?.length === 0 && <p className="muted">{t('subnet.if.empty')}</p>}
      {list && list.length > 0 && (
        <table className="table" data-testid="interfaces">
          <thead>
            <tr>
              <th>{t('subnet.if.name')}</th>
              <th>{t('subnet.if.addresses')}</th>
              <th>{t('subnet.if.mac')}</th>
              <th>{t('subnet.if.state')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((nic) => (
              <tr key={nic.name}>
                <td className="mono">
                  {nic.name}
                  {nic.internal && <span className="badge subtle">{t('subnet.if.loopback')}</span>}
                </td>
                <td>
                  {nic.addresses.map((a) => {
                    const text = a.scopeId ? `${a.address}%${nic.name}/${a.prefix}` : a.cidr;
                    return (
                      <button key={a.cidr} className="chip mono" data-testid="interface-address" onClick={() => pick(text)}>
                        {text}
                      </button>
                    );
                  })}
                </td>
                <td className="mono">{nic.mac ?? '—'}</td>
                <td>{nic.up === null ? t('subnet.if.unknown') : nic.up ? t('subnet.if.up') : t('subnet.if.down')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
