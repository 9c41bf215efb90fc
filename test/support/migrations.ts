import type { DataSource } from 'typeorm';

/** Reverts the latest migrations, down to and including the one named. */
export async function revertThrough(dataSource: DataSource, name: string): Promise<void> {
  for (;;) {
    const [last]: { name: string }[] = await dataSource.query(
      `SELECT name FROM schema_migrations ORDER BY timestamp DESC LIMIT 1`,
    );
    if (!last) throw new Error(`migration ${name} is not applied`);
    await dataSource.undoLastMigration();
    if (last.name === name) return;
  }
}
