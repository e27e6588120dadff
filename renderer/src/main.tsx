import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickClient } from './client/pick-client.ts';
import { App } from './shell/App.tsx';
import { createAppStore } from './store/app-store.ts';
import { StoreProvider } from './store/store-context.tsx';
import './styles.css';

const client = pickClient();
const store = createAppStore(client);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store} client={client}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
