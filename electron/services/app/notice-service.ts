import { randomUUID } from 'node:crypto';
import type { Notice } from '../../../shared/contract/index.ts';
import type { EventHub } from '../../core/event-hub.ts';

/**
 * Notices are kept until dismissed, because some (a corrupt settings file found at start-up)
 * happen before any window has subscribed: `app.info` hands the pending ones to a new window.
 */
export class NoticeService {
  private readonly pending: Notice[] = [];
  constructor(private readonly hub: EventHub) {}

  add(level: Notice['level'], code: string, message: string): Notice {
    const notice: Notice = { id: randomUUID(), level, code, message, at: new Date().toISOString() };
    this.pending.push(notice);
    if (this.pending.length > 50) this.pending.shift();
    this.hub.publish('app.notice', notice);
    return notice;
  }

  list(): Notice[] {
    return [...this.pending];
  }

  dismiss(id: string): boolean {
    const i = this.pending.findIndex((n) => n.id === id);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }
}
