import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openLibraryDatabase, schemaVersion } from '../../../src/main/library/database.js';

const dir = mkdtempSync(join(tmpdir(), 'emotune-db-'));

describe('openLibraryDatabase', () => {
  it('creates the schema at the latest version, in WAL mode with foreign keys', () => {
    const db = openLibraryDatabase(join(dir, 'new.sqlite'));
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('applies only the migrations a database lacks', () => {
    const path = join(dir, 'old.sqlite');
    openLibraryDatabase(path, MIGRATIONS).close();
    const next = [...MIGRATIONS, 'CREATE TABLE extra (x INTEGER)'];
    const db = openLibraryDatabase(path, next);
    expect(schemaVersion(db)).toBe(next.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get()).toBe(1);
    db.close();
  });

  it('rolls back a migration that fails, leaving the old version', () => {
    const path = join(dir, 'failing.sqlite');
    openLibraryDatabase(path).close();
    expect(() => openLibraryDatabase(path, [...MIGRATIONS, 'CREATE TABLE half (x INTEGER); THIS IS NOT SQL'])).toThrow(
      /cannot open the library database/,
    );
    const db = openLibraryDatabase(path);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it('says a damaged file is damaged, and what to do', () => {
    const path = join(dir, 'damaged.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expect(() => openLibraryDatabase(path)).toThrow(/is damaged .*move it aside/);
  });

  it('refuses a database from a newer Emotune', () => {
    const path = join(dir, 'newer.sqlite');
    const db = openLibraryDatabase(path);
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    expect(() => openLibraryDatabase(path)).toThrow(/from a newer Emotune/);
  });
});
