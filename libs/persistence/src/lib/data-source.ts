import { DataSource, type DataSourceOptions } from 'typeorm';
import { ConnectionEntity } from './connection.entity';
import { CreateConnections1764201600000 } from './migrations/1764201600000-CreateConnections';
import { CreateProfiles1764201650000 } from './migrations/1764201650000-CreateProfiles';
import { CreateDeliveryLog1764201750000 } from './migrations/1764201750000-CreateDeliveryLog';
import { DropRedundantRequestIndex1764201800000 } from './migrations/1764201800000-DropRedundantRequestIndex';
import { CreateNotificationIncidents1764201700000 } from './migrations/1764201700000-CreateNotificationIncidents';
import { KeepBodyWithFirstAttempt1764201850000 } from './migrations/1764201850000-KeepBodyWithFirstAttempt';
import { KeepTemplateKeyOrder1764201900000 } from './migrations/1764201900000-KeepTemplateKeyOrder';
import { ClaimIncidents1764201950000 } from './migrations/1764201950000-ClaimIncidents';
import { MarkTestSends1764202000000 } from './migrations/1764202000000-MarkTestSends';
import { NotificationIncidentEntity } from './notification-incident.entity';

export const ENTITIES = [ConnectionEntity, NotificationIncidentEntity];

/** Migrations in the order they apply; listed, not globbed, so bundled builds carry them. */
export const MIGRATIONS = [
  CreateConnections1764201600000,
  CreateProfiles1764201650000,
  CreateNotificationIncidents1764201700000,
  CreateDeliveryLog1764201750000,
  DropRedundantRequestIndex1764201800000,
  KeepBodyWithFirstAttempt1764201850000,
  KeepTemplateKeyOrder1764201900000,
  ClaimIncidents1764201950000,
  MarkTestSends1764202000000,
];

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // The schema changes only through migrations.
    synchronize: false,
    migrationsRun: false,
    extra: { max: 10, connectionTimeoutMillis: 5000 },
  };
}

/** Applies pending migrations; returns the names of those it ran. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
