/**
 * A setting that lives in the backend: loaded once, saved on each change, with the backend's
 * answer (the value it actually stored) kept, and its refusal shown instead of thrown. After a save,
 * taken or refused, `revision` moves on, so that a form drawn from `value` is drawn again and never
 * leaves a refused value on screen as if it were stored.
 */
import { explainError, type FieldNames } from './errorWording.js';

export class SavedSetting<T> {
  value = $state<T | undefined>();
  /** The refusal in plain words; `errorDetail` is the backend's own text. */
  error = $state('');
  errorDetail = $state('');
  revision = $state(0);
  readonly #store: (next: T) => Promise<T>;
  readonly #fields: FieldNames;

  constructor(load: () => Promise<T>, store: (next: T) => Promise<T>, fields: FieldNames = {}) {
    this.#store = store;
    this.#fields = fields;
    load().then(
      (v) => (this.value = v),
      (e: Error) => this.fail(e),
    );
  }

  fail(e: unknown): void {
    const { text, detail } = explainError(e, this.#fields);
    this.error = text;
    this.errorDetail = detail;
  }

  async save(next: T): Promise<boolean> {
    this.error = '';
    this.errorDetail = '';
    try {
      this.value = await this.#store(next);
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.revision++;
    }
  }
}
