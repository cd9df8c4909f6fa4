/**
 * A setting that lives in the backend: loaded once, saved on each change, with the backend's
 * answer (the value it actually stored) kept, and its refusal shown instead of thrown.
 */
export class SavedSetting<T> {
  value = $state<T | undefined>();
  error = $state('');
  readonly #store: (next: T) => Promise<T>;

  constructor(load: () => Promise<T>, store: (next: T) => Promise<T>) {
    this.#store = store;
    load().then(
      (v) => (this.value = v),
      (e: Error) => (this.error = e.message),
    );
  }

  async save(next: T): Promise<void> {
    this.error = '';
    try {
      this.value = await this.#store(next);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }
}
