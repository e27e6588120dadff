import { useShallow } from 'zustand/react/shallow';
import type { Settings } from '../../../shared/contract/settings.ts';
import { useApp, useT } from '../store/store-context.tsx';
import { panelSpecs } from './panels.ts';

export function TopBar() {
  const t = useT();
  const panel = useApp((s) => s.panel);
  const settings = useApp(useShallow((s) => ({ language: s.settings.language, theme: s.settings.theme })));
  const update = useApp((s) => s.updateSettings);
  const spec = panelSpecs.find((p) => p.id === panel) ?? panelSpecs[0]!;
  const themes: Settings['theme'][] = ['system', 'light', 'dark'];
  return (
    <header className="topbar">
      <h1>{t(spec.title)}</h1>
      <div className="topbar-controls">
        <label className="field-inline">
          <span>{t('settings.language')}</span>
          <select
            aria-label={t('settings.language')}
            data-testid="language-select"
            value={settings.language}
            onChange={(e) => void update({ language: e.target.value as Settings['language'] })}
          >
            <option value="system">{t('settings.language.system')}</option>
            <option value="en">English</option>
            <option value="zh-CN">中文（简体）</option>
          </select>
        </label>
        <div className="segmented" role="radiogroup" aria-label={t('settings.theme')}>
          {themes.map((theme) => (
            <button
              key={theme}
              role="radio"
              aria-checked={settings.theme === theme}
              data-testid={`theme-${theme}`}
              className={settings.theme === theme ? 'active' : ''}
              onClick={() => void update({ theme })}
            >
              {t(`settings.theme.${theme}`)}
            </button>
          ))}
        </div>
      </div>
    </header>
  );
}
