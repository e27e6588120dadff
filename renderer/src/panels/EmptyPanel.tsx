import type { PanelId } from '../../../shared/contract/settings.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import { Icon } from '../shell/icons.tsx';
import { panelSpecs } from '../shell/panels.ts';
import { useT } from '../store/store-context.tsx';

/**
 * Each panel starts as a clear statement of what it will do, so the shell is useful to read
 * before the panel exists. The panel issues replace these one by one.
 */
export function EmptyPanel({ id }: { id: PanelId }) {
  const t = useT();
  const spec = panelSpecs.find((p) => p.id === id)!;
  const features = (['f1', 'f2', 'f3', 'f4'] as const).map((f) => `${id}.${f}` as MessageKey);
  return (
    <section className="empty" data-testid={`empty-${id}`}>
      <div className="empty-head">
        <Icon name={spec.icon} size={36} />
        <span className="badge">{t('empty.badge')}</span>
      </div>
      <h2>{t(spec.title)}</h2>
      <p className="empty-summary">{t(`${id}.summary` as MessageKey)}</p>
      <h3>{t('empty.willDo')}</h3>
      <ul className="empty-list">
        {features.map((k) => <li key={k}>{t(k)}</li>)}
      </ul>
      <p className="empty-learn"><strong>{t('empty.learn')}:</strong> {t(`${id}.learn` as MessageKey)}</p>
    </section>
  );
}
