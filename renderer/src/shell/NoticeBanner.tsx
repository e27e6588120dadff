import { errorText } from '../i18n/error-text.ts';
import { useApp, useLocale, useT } from '../store/store-context.tsx';
import { Icon } from './icons.tsx';

/** Shows what the backend wants the user to know, e.g. that a corrupt settings file was moved aside. */
export function NoticeBanner() {
  const t = useT();
  const locale = useLocale();
  const notices = useApp((s) => s.notices);
  const settingsError = useApp((s) => s.settingsError);
  const dismiss = useApp((s) => s.dismissNotice);
  const connection = useApp((s) => s.connection);
  const host = useApp((s) => s.info?.host);
  const lost = connection === 'disconnected';
  if (notices.length === 0 && !settingsError && !lost) return null;
  return (
    <div className="notices" role="alert">
      {lost && (
        <div className="notice error" data-testid="notice-disconnected">
          <Icon name="warning" />
          <span>{host === 'browser' ? t('notice.disconnected') : t('status.connection.disconnected')}</span>
        </div>
      )}
      {settingsError && (
        <div className="notice error" data-testid="notice">
          <Icon name="warning" />
          <span>{t('error.settingsSave', { message: errorText(locale, settingsError) })}</span>
        </div>
      )}
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.level}`} data-testid="notice" data-code={n.code}>
          <Icon name="warning" />
          <span>{errorText(locale, n)}</span>
          <button className="icon-button" aria-label={t('notice.dismiss')} title={t('notice.dismiss')} onClick={() => void dismiss(n.id)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}
