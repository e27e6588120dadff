/**
 * A double-ended queue of log entries on a growable circular buffer: O(1) at both ends and by
 * index. The page's view of a sender log is a window of the backend's log that grows at its
 * newest end from the live stream, at its oldest end when the user scrolls back
 * (`sender.log {before}`), and is cut at whichever end is farther from the user; the store keeps
 * the deque and bumps a version number per change instead of copying it.
 */
export class EventDeque<T> {
  private items: (T | undefined)[];
  /** items.length - 1: the capacity is a power of two, so an index wraps with a mask. */
  private mask: number;
  private start = 0;
  private size = 0;

  constructor(initialCapacity = 64) {
    let cap = 4;
    while (cap < initialCapacity) cap *= 2;
    this.items = new Array<T | undefined>(cap);
    this.mask = cap - 1;
  }

  get length(): number {
    return this.size;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.start + i) & this.mask];
    this.items = next;
    this.mask = next.length - 1;
    this.start = 0;
  }

  /** Adds at the newest end. */
  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.start + this.size) & this.mask] = item;
    this.size++;
  }

  /** Adds at the oldest end. */
  unshift(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.start = (this.start - 1) & this.mask;
    this.items[this.start] = item;
    this.size++;
  }

  /** Removes the oldest entry. */
  shift(): T | undefined {
    if (!this.size) return undefined;
    const x = this.items[this.start];
    this.items[this.start] = undefined;
    this.start = (this.start + 1) & this.mask;
    this.size--;
    return x;
  }

  /** Removes the newest entry. */
  pop(): T | undefined {
    if (!this.size) return undefined;
    const i = (this.start + this.size - 1) & this.mask;
    const x = this.items[i];
    this.items[i] = undefined;
    this.size--;
    return x;
  }

  /** Removes the `n` oldest entries at once (the window's far end under a flood: one call per batch, not per entry). */
  dropFirst(n: number): void {
    n = Math.min(n, this.size);
    for (let i = 0; i < n; i++) this.items[(this.start + i) & this.mask] = undefined;
    this.start = (this.start + n) & this.mask;
    this.size -= n;
  }

  /** Removes the `n` newest entries at once. */
  dropLast(n: number): void {
    n = Math.min(n, this.size);
    for (let i = 1; i <= n; i++) this.items[(this.start + this.size - i) & this.mask] = undefined;
    this.size -= n;
  }

  /** Entry i, oldest first. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.items[(this.start + i) & this.mask];
  }

  first(): T | undefined {
    return this.at(0);
  }

  last(): T | undefined {
    return this.at(this.size - 1);
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.at(i)!);
    return out;
  }
}

/** The index of the first entry whose key is at least `key`, in a deque sorted by key (its length when none is). */
export function lowerBound<T>(d: { length: number; at(i: number): T | undefined }, key: number, keyOf: (x: T) => number): number {
  let lo = 0;
  let hi = d.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(d.at(mid)!) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
