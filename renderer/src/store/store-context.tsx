import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from './app-store.ts';
import type { ContractClient } from '../client/contract-client.ts';
import { resolveLocale, translate, type Locale, type TextKey } from '../i18n/i18n.ts';

const StoreContext = createContext<AppStore | null>(null);
const ClientContext = createContext<ContractClient | null>(null);

export function StoreProvider({ store, client, children }: { store: AppStore; client: ContractClient; children: ReactNode }) {
  return (
    <ClientContext.Provider value={client}>
      <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
    </ClientContext.Provider>
  );
}

/** For requests whose answer is local to a component (a preview), not app state. */
export function useClient(): ContractClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside StoreProvider');
  return client;
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

export type Translate = (key: TextKey, params?: Record<string, string | number>, count?: number) => string;

export function useT(): Translate {
  const locale = useLocale();
  return (key, params, count) => translate(locale, key, params, count);
}
