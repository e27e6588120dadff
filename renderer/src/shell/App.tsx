import { useEffect } from 'react';
import { panelIds } from '../../../shared/contract/settings.ts';
import { SubnetPanel } from '../panels/subnet/SubnetPanel.tsx';
import { SenderPanel } from '../panels/sender/SenderPanel.tsx';
import { TimelinePanel } from '../panels/timeline/TimelinePanel.tsx';
import { ProcessesPanel } from '../panels/processes/ProcessesPanel.tsx';
import { ConcurrencyPanel } from '../panels/concurrency/ConcurrencyPanel.tsx';
import { useApp, useLocale, useT } from '../store/store-context.tsx';
import { NavBar } from './NavBar.tsx';
import { NoticeBanner } from './NoticeBanner.tsx';
import { panelSpecs } from './panels.ts';
import { StatusBar } from './StatusBar.tsx';
import { TopBar } from './TopBar.tsx';
import { useResolvedTheme } from './use-theme.ts';

export function App() {
  const t = useT();
  const locale = useLocale();
  const theme = useResolvedTheme();
  const panel = useApp((s) => s.panel);
  const setPanel = useApp((s) => s.setPanel);
  const loaded = useApp((s) => s.settingsLoaded);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.dataset.theme = theme;
    const spec = panelSpecs.find((p) => p.id === panel);
    document.title = spec ? `${t(spec.title)} — Wirelab` : 'Wirelab';
  });

  useEffect(() => {
    // Ctrl+1…5 (Cmd on macOS), as in VS Code's editor groups; ignore with Shift/Alt held.
    function onKey(e: KeyboardEvent) {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const spec = panelSpecs.find((p) => p.key === e.key);
      if (!spec) return;
      e.preventDefault();
      setPanel(spec.id);
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setPanel]);

  return (
    <div className="app" data-ready={loaded ? 'true' : 'false'}>
      <NavBar />
      <div className="main">
        <TopBar />
        <NoticeBanner />
        <main className="content">
          {panelIds.map((id) => (
            <div key={id} role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`} hidden={panel !== id} className="panel">
              {panel === id &&
                (id === 'subnet' ? (
                  <SubnetPanel />
                ) : id === 'sender' ? (
                  <SenderPanel />
                ) : id === 'timeline' ? (
                  <TimelinePanel />
                ) : id === 'processes' ? (
                  <ProcessesPanel />
                ) : (
                  <ConcurrencyPanel />
                ))}
            </div>
          ))}
        </main>
      </div>
      <StatusBar />
    </div>
  );
}
