export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogEntry {
  at: number;
  level: LogLevel;
  scope: string;
  message: string;
  detail?: string;
}

/**
 * Logs live in a fixed-size ring so a chatty service can never grow memory without bound;
 * `echo` mirrors entries to stderr (the CLI and the browser host want that, tests do not).
 */
export class Logger {
  private readonly ring: (LogEntry | undefined)[];
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity = 2000,
    private readonly echo: ((line: string) => void) | null = null,
    private readonly minEcho: LogLevel = 'warn',
  ) {
    this.ring = new Array<LogEntry | undefined>(capacity);
  }

  private write(level: LogLevel, scope: string, message: string, detail?: unknown): void {
    const entry: LogEntry = { at: Date.now(), level, scope, message };
    if (detail !== undefined) entry.detail = detail instanceof Error ? (detail.stack ?? detail.message) : JSON.stringify(detail);
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    if (this.echo && rank[level] >= rank[this.minEcho]) this.echo(`[${level}] ${scope}: ${message}`);
  }

  debug(scope: string, message: string, detail?: unknown): void {
    this.write('debug', scope, message, detail);
  }
  info(scope: string, message: string, detail?: unknown): void {
    this.write('info', scope, message, detail);
  }
  warn(scope: string, message: string, detail?: unknown): void {
    this.write('warn', scope, message, detail);
  }
  error(scope: string, message: string, detail?: unknown): void {
    this.write('error', scope, message, detail);
  }

  /** Oldest first. */
  entries(): LogEntry[] {
    const out: LogEntry[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const e = this.ring[(start + i) % this.capacity];
      if (e) out.push(e);
    }
    return out;
  }
}

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
