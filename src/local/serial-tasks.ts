/**
 * Background work per resource, one task at a time: a start, a failover, a modify and a
 * delete of the same group or cache never overlap, while different resources proceed in
 * parallel. A failed task is reported and does not stop the ones queued after it.
 */
export class SerialTasks<K> {
  private readonly tasks = new Map<K, Promise<void>>();

  constructor(private readonly onError: (key: K, error: Error) => void) {}

  /** Queues `work` after the key's previous task; resolves when it has run (never rejects). */
  run(key: K, work: () => Promise<void>): Promise<void> {
    const previous = this.tasks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work).catch((error) => this.onError(key, error as Error));
    this.tasks.set(key, next);
    void next.then(() => {
      if (this.tasks.get(key) === next) this.tasks.delete(key);
    });
    return next;
  }

  /** Resolves once every task queued so far has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.tasks.values()]);
  }
}
