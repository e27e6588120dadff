import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from './app-store.ts';
import { resolveLocale, translate, type Locale, type MessageKey } from '../i18n/i18n.ts';

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useApp<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp outside StoreProvider');
  return useStore(store, selector);
}

/** Derived, never stored: the language actually shown. */
export function useLocale(): Locale {
  const setting = useApp((s) => s.settings.language);
  return resolveLocale(setting, navigator.language);
}

export function useT(): (key: MessageKey, params?: Record<string, string | number>) => string {
  const locale = useLocale();
  return (key, params) => translate(locale, key, params);
}
