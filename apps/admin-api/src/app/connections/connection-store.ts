import { ConnectionEntity } from '@campaign-webhooks/persistence';
import {
  ConflictException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConnectionFeedPublisher } from './connection-feed-publisher';

export type NewConnection = Omit<ConnectionEntity, 'version' | 'createdAt' | 'updatedAt'>;

/** The first wait before correcting the feed again; it doubles up to 64 times as long. */
const CORRECTION_RETRY_MS = 1_000;

/**
 * Connections in PostgreSQL and on the change feed, always together, always within one project:
 * another project's id reads as not found. A change is committed only once the feed has acknowledged
 * it, so the pipeline never misses a change the API reported as done.
 */
export class ConnectionStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly feed: ConnectionFeedPublisher,
    private readonly log: { error(details: object, message: string): void },
    private readonly correctionRetryMs = CORRECTION_RETRY_MS,
  ) {}

  list(projectId: string): Promise<ConnectionEntity[]> {
    return this.dataSource.manager.find(ConnectionEntity, {
      where: { projectId },
      order: { createdAt: 'ASC' },
    });
  }

  get(projectId: string, id: string): Promise<ConnectionEntity> {
    return this.find(this.dataSource.manager, projectId, id, false);
  }

  insert(connection: NewConnection): Promise<ConnectionEntity> {
    return this.change(connection.id, async (manager, publish) => {
      const saved = await manager.save(manager.create(ConnectionEntity, connection));
      await publish(() => this.feed.publish(saved));
      return saved;
    });
  }

  /**
   * Applies `change` to the connection as stored now. The row stays locked from read to commit, so
   * concurrent changes apply one after the other (each on the result of the one before) and reach
   * the feed in the order they commit. `change` answers whether it changed anything; when it did
   * not, nothing is written or published and the version stays.
   */
  update(
    projectId: string,
    id: string,
    expectedVersion: number | undefined,
    change: (connection: ConnectionEntity) => boolean,
  ): Promise<ConnectionEntity> {
    return this.change(id, async (manager, publish) => {
      const connection = await this.find(manager, projectId, id, true);
      checkVersion(connection, expectedVersion);
      if (!change(connection)) return connection;
      // Every column written and the version moved, whatever TypeORM would compare: it takes a
      // json value with its keys reordered for the same value, and would write nothing.
      const { version, createdAt, updatedAt, ...columns } = connection;
      await manager
        .createQueryBuilder()
        .update(ConnectionEntity)
        .set(columns)
        .where('id = :id AND project_id = :projectId', { id: connection.id, projectId })
        .execute();
      const saved = await this.find(manager, projectId, id, false);
      await publish(() => this.feed.publish(saved));
      return saved;
    });
  }

  async remove(projectId: string, id: string, expectedVersion: number | undefined): Promise<void> {
    await this.change(id, async (manager, publish) => {
      const connection = await this.find(manager, projectId, id, true);
      checkVersion(connection, expectedVersion);
      await manager.delete(ConnectionEntity, { id: connection.id, projectId });
      await publish(() => this.feed.publishDeletion(connection.id));
    });
  }

  /**
   * One change's transaction. Its feed record goes out before COMMIT; should the transaction fail
   * after that (COMMIT refused, or the broker appended the record but its answer was lost), the
   * feed would hold a change the database does not, and a connection created that way would get
   * events no one can see. So the row as committed is published again, under its lock and at a
   * new version, for the feed to end on it: a tombstone if there is none. The caller hears 503
   * (whether the change was committed is not known), and while the database can't be reached the
   * correction is tried again in the background until it succeeds.
   */
  private async change<T>(
    id: string,
    work: (manager: EntityManager, publish: (send: () => Promise<void>) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    let published = false;
    try {
      return await this.dataSource.transaction((manager) =>
        work(manager, (send) => {
          published = true;
          return this.publish(send);
        }),
      );
    } catch (error) {
      if (!published) throw error;
      await this.correctFeed(id);
      if (error instanceof HttpException) throw error;
      throw new ServiceUnavailableException(
        'the change could not be confirmed; read the connection before trying again',
      );
    }
  }

  private async correctFeed(id: string, retries = 0): Promise<void> {
    try {
      await this.publishCommitted(id);
    } catch (error) {
      const retryInMs = this.correctionRetryMs * 2 ** Math.min(retries, 6);
      this.log.error(
        { err: error, connectionId: id, retryInMs },
        'change feed may hold a change that was not committed; publishing the committed row again later',
      );
      setTimeout(() => void this.correctFeed(id, retries + 1), retryInMs).unref();
    }
  }

  private publishCommitted(id: string): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      const locked = await manager.findOne(ConnectionEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!locked) return this.feed.publishDeletion(id);
      // The version of the change rolled back, which readers may have applied: they ignore an
      // older one.
      await manager.increment(ConnectionEntity, { id }, 'version', 1);
      await this.feed.publish({ ...locked, version: locked.version + 1 });
    });
  }

  private async find(manager: EntityManager, projectId: string, id: string, forUpdate: boolean) {
    const found = isUuid(id)
      ? await manager.findOne(ConnectionEntity, {
          where: { id, projectId },
          ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}),
        })
      : null;
    if (!found) throw new NotFoundException(`connection ${id} not found`);
    return found;
  }

  private async publish(send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch {
      throw new ServiceUnavailableException('the change feed is unavailable; nothing was changed, try again');
    }
  }
}

function checkVersion(connection: ConnectionEntity, expected: number | undefined): void {
  if (expected === undefined || connection.version === expected) return;
  throw new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message: `connection ${connection.id} is at version ${connection.version}, not ${expected} (If-Match); read it again and reapply the change`,
    currentVersion: connection.version,
  });
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
