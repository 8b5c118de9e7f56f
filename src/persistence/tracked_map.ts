// A Map that remembers which keys changed since it was last asked. The store puts one in place of the
// state's ingress history so that a round logs only the statuses it changed: scanning the whole
// history every round would cost what the subnet holds, not what the round did (docs/storage-format.md).

export class TrackedMap<K, V> extends Map<K, V> {
  // Not a field initializer: Map's constructor would call `set` before fields exist.
  #changed: Set<K> | undefined;
  #cleared = false;

  static of<K, V>(source: Map<K, V>): TrackedMap<K, V> {
    const map = new TrackedMap<K, V>();
    for (const [key, value] of source) map.set(key, value);
    map.takeChanges();
    return map;
  }

  override set(key: K, value: V): this {
    (this.#changed ??= new Set()).add(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    (this.#changed ??= new Set()).add(key);
    return super.delete(key);
  }

  override clear(): void {
    this.#cleared = true;
    this.#changed = undefined;
    super.clear();
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
