import { useApp, useT } from '../store/store-context.tsx';
import { Icon } from './icons.tsx';
import { modKey, panelSpecs } from './panels.ts';

export function NavBar() {
  const t = useT();
  const panel = useApp((s) => s.panel);
  const setPanel = useApp((s) => s.setPanel);
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      <div className="brand">
        <img src="./icon.svg" alt="" width={28} height={28} />
        <div>
          <div className="brand-name">{t('app.name')}</div>
          <div className="brand-tagline">{t('app.tagline')}</div>
        </div>
      </div>
      <ul role="tablist" aria-orientation="vertical">
        {panelSpecs.map((p) => (
          // The list items carry no role of their own: a tablist's children are tabs (ARIA 1.2 tablist).
          <li key={p.id} role="presentation">
            <button
              role="tab"
              id={`tab-${p.id}`}
              aria-selected={panel === p.id}
              aria-controls={`panel-${p.id}`}
              className={panel === p.id ? 'nav-item active' : 'nav-item'}
              onClick={() => setPanel(p.id)}
              title={t('panel.shortcut', { keys: `${modKey}+${p.key}` })}
            >
              <Icon name={p.icon} />
              <span className="nav-label">{t(p.title)}</span>
            </button>
          </li>
        ))}
      </ul>
      <p className="nav-hint">{t('nav.shortcuts', { keys: `${modKey}+1…${panelSpecs.length}` })}</p>
    </nav>
  );
}
