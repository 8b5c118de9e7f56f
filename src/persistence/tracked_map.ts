// A Map that remembers which keys changed since it was last asked. The store puts one in place of the
// state's ingress history so that a round logs only the statuses it changed: scanning the whole
// history every round would cost what the subnet holds, not what the round did (docs/storage-format.md).
// Other readers (the state tree's builder) follow the same changes at their own pace through a ChangeReader.

/** What one reader has not yet read of a TrackedMap's changes. */
export class ChangeReader<K> {
  #changed = new Set<K>();
  #cleared = false;

  /** Keys set or deleted since the last call, and whether the map was cleared meanwhile. */
  take(): { cleared: boolean; keys: K[] } {
    const changes = { cleared: this.#cleared, keys: [...this.#changed] };
    this.#changed = new Set();
    this.#cleared = false;
    return changes;
  }

  note(key: K): void {
    this.#changed.add(key);
  }

  noteCleared(): void {
    this.#cleared = true;
    this.#changed.clear();
  }
}

export class TrackedMap<K, V> extends Map<K, V> {
  // Not a field initializer: Map's constructor would call `set` before fields exist.
  #changed: Set<K> | undefined;
  #cleared = false;
  /** Held weakly: a reader its owner dropped stops collecting keys. */
  #readers: WeakRef<ChangeReader<K>>[] | undefined;

  static of<K, V>(source: Map<K, V>): TrackedMap<K, V> {
    const map = new TrackedMap<K, V>();
    for (const [key, value] of source) map.set(key, value);
    map.takeChanges();
    return map;
  }

  override set(key: K, value: V): this {
    (this.#changed ??= new Set()).add(key);
    if (this.#readers) this.#tellReaders((reader) => reader.note(key));
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    (this.#changed ??= new Set()).add(key);
    if (this.#readers) this.#tellReaders((reader) => reader.note(key));
    return super.delete(key);
  }

  override clear(): void {
    this.#cleared = true;
    this.#changed = undefined;
    if (this.#readers) this.#tellReaders((reader) => reader.noteCleared());
    super.clear();
  }

  /** A reader of the changes made from now on, independent of `takeChanges` and of the other readers. */
  reader(): ChangeReader<K> {
    const reader = new ChangeReader<K>();
    (this.#readers ??= []).push(new WeakRef(reader));
    return reader;
  }

  #tellReaders(tell: (reader: ChangeReader<K>) => void): void {
    let dropped = false;
    for (const ref of this.#readers!) {
      const reader = ref.deref();
      if (reader) tell(reader);
      else dropped = true;
    }
    if (dropped) this.#readers = this.#readers!.filter((ref) => ref.deref() !== undefined);
  }

  /** Keys set or deleted since the last call, and whether the map was cleared first. */
  takeChanges(): { cleared: boolean; keys: K[] } {
    const changes = { cleared: this.#cleared, keys: [...(this.#changed ?? [])] };
    this.#changed = undefined;
    this.#cleared = false;
    return changes;
  }

  /** Changes since the last `takeChanges`, without forgetting them (the round may fail to commit). */
  peekChanges(): { cleared: boolean; keys: K[] } {
    return { cleared: this.#cleared, keys: [...(this.#changed ?? [])] };
  }
}
