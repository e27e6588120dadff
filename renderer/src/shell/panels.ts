import type { PanelId } from '../../../shared/contract/settings.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import type { IconName } from './icons.tsx';

export interface PanelSpec {
  id: PanelId;
  title: MessageKey;
  icon: IconName;
  /** Ctrl/Cmd + this digit opens the panel. */
  key: string;
}

export const panelSpecs: PanelSpec[] = [
  { id: 'sender', title: 'panel.sender', icon: 'sender', key: '1' },
  { id: 'subnet', title: 'panel.subnet', icon: 'subnet', key: '2' },
  { id: 'timeline', title: 'panel.timeline', icon: 'timeline', key: '3' },
  { id: 'processes', title: 'panel.processes', icon: 'processes', key: '4' },
  { id: 'concurrency', title: 'panel.concurrency', icon: 'concurrency', key: '5' },
];

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const modKey = isMac ? '⌘' : 'Ctrl';
