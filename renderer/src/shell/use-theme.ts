import { useSyncExternalStore } from 'react';
import { useApp } from '../store/store-context.tsx';

const query = '(prefers-color-scheme: dark)';
function subscribe(cb: () => void) {
  const mq = window.matchMedia(query);
  mq.addEventListener('change', cb);
  return () => mq.removeEventListener('change', cb);
}
const systemDark = () => window.matchMedia(query).matches;

/** The theme actually shown: the user's override, else the OS preference (followed live). */
export function useResolvedTheme(): 'light' | 'dark' {
  const setting = useApp((s) => s.settings.theme);
  const dark = useSyncExternalStore(subscribe, systemDark);
  if (setting !== 'system') return setting;
  return dark ? 'dark' : 'light';
}
