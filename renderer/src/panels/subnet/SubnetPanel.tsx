import type { SubnetTab } from '../../store/subnet-slice.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { CalcView } from './CalcView.tsx';
import { InterfacesView } from './InterfacesView.tsx';
import { SameView } from './SameView.tsx';
import { SplitView } from './SplitView.tsx';
import { SummarizeView } from './SummarizeView.tsx';
import { TreeView } from './TreeView.tsx';

const tabs: SubnetTab[] = ['calc', 'same', 'split', 'tree', 'summarize', 'interfaces'];

export function SubnetPanel() {
  const t = useT();
  const tab = useApp((s) => s.subnet.tab);
  const set = useApp((s) => s.setSubnet);
  return (
    <div className="subnet-panel" data-testid="subnet-panel">
      <div className="subtabs" role="tablist" aria-label={t('panel.subnet')}>
        {tabs.map((id) => (
          <button
            key={id}
            role="tab"
            id={`subnet-tab-${id}`}
            aria-selected={tab === id}
            className={tab === id ? 'subtab active' : 'subtab'}
            onClick={() => set({ tab: id })}
          >
            {t(`subnet.tab.${id}`)}
          </button>
        ))}
      </div>
      <div className="subpanel" role="tabpanel" aria-labelledby={`subnet-tab-${tab}`}>
        {tab === 'calc' && <CalcView />}
        {tab === 'same' && <SameView />}
        {tab === 'split' && <SplitView />}
        {tab === 'tree' && <TreeView />}
        {tab === 'summarize' && <SummarizeView />}
        {tab === 'interfaces' && <InterfacesView />}
      </div>
    </div>
  );
}
