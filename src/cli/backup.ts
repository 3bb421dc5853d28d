import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface BackupReport {
  destination: string;
  bytes: number;
  pages: number;
  integrity: string;
}

/**
 * A consistent copy of a live SQLite database with SQLite's online backup API (better-sqlite3
 * `db.backup`). After a first small step it copies the rest in one step, which reads one committed
 * state while the app keeps writing; a write between the two steps restarts the copy once. The copy is then checked with
 * `PRAGMA integrity_check`.
 */
export async function backupSqlite(source: string, destination: string, onProgress?: (done: number, total: number) => void): Promise<BackupReport> {
  if (!existsSync(source)) throw new Error(`There is no database at ${source} (SQLITE_PATH)`);
  if (existsSync(destination)) throw new Error(`${destination} already exists: choose a new file name, a backup never overwrites`);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const result = await db.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        // The rest in one step. A write by another connection between two steps restarts the copy,
        // so small steps never finish while the app writes every few milliseconds; within one step
        // the copy reads one snapshot (WAL: the app's writes go on meanwhile).
        return Math.max(totalPages, 1);
      },
    });
    const copy = new Database(destination, { readonly: true, fileMustExist: true });
    try {
      const integrity = String(copy.pragma('integrity_check', { simple: true }));
      if (integrity !== 'ok') throw new Error(`The copy at ${destination} failed its integrity check: ${integrity}`);
      return { destination, bytes: statSync(destination).size, pages: result.totalPages, integrity };
    } finally {
      copy.close();
    }
  } finally {
    db.close();
  }
}
