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

  add(level: Notice['level'], code: string, message: string, params?: Notice['params']): Notice {
    const notice: Notice = { id: randomUUID(), level, code, message, at: new Date().toISOString() };
    if (params) notice.params = params;
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

/** Code of a data file that could not be read at start and was left alone; params {path, reason, file}. */
export const dataFileUnreadable = 'DATA_FILE_UNREADABLE';

export interface DataFileProblem {
  recovered: { backupPath: string; reason: string } | null;
  unreadable: { code: string; reason: string } | null;
}

/**
 * Tells the user, once, what start-up found wrong with one data file. A corrupt file was moved
 * aside (never deleted): `corruptCode`, params {path: where it went}. A path that could not be
 * read (a directory, no permission, a symlink loop) was left as it is: DATA_FILE_UNREADABLE,
 * params {path, reason: the errno code, file}. Either way the defaults are in use.
 */
export function reportDataFileProblem(
  notices: NoticeService,
  warn: (message: string) => void,
  file: { name: string; path: string; what: string; corruptCode: string; fallback: string },
  problem: DataFileProblem,
): void {
  const { recovered, unreadable } = problem;
  if (recovered) {
    warn(`${file.what} was unreadable (${recovered.reason}); moved to ${recovered.backupPath}`);
    notices.add(
      'warning',
      file.corruptCode,
      `${file.what} could not be read (${recovered.reason}). It was moved to ${recovered.backupPath}; ${file.fallback}.`,
      { path: recovered.backupPath, file: file.name },
    );
  }
  if (unreadable) {
    warn(`${file.path} could not be read (${unreadable.code}: ${unreadable.reason}); left as it is`);
    notices.add(
      'warning',
      dataFileUnreadable,
      `${file.what} ${file.path} could not be read (${unreadable.code}: ${unreadable.reason}). Wirelab left it as it is and will not save over it; ${file.fallback}.`,
      { path: file.path, reason: unreadable.code, file: file.name },
    );
  }
}
