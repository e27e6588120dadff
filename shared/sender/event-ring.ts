/**
 * A fixed-capacity ring of log entries. Appending is O(1) and the oldest entry goes when it is
 * full, so a session that receives 100,000 messages a second keeps a bounded log and the UI
 * never copies it: the store keeps the ring and bumps a version number per batch instead.
 */
export class EventRing<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private size = 0;
  /** How many entries were pushed out to make room, since the ring was made. */
  evicted = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size < this.capacity) {
      this.items[(this.start + this.size) % this.capacity] = item;
      this.size++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
      this.evicted++;
    }
  }

  /** Entry i, oldest first. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.start + i) % this.capacity]!);
    return out;
  }
}
