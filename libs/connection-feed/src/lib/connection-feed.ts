import { ConnectionIndex } from '@campaign-webhooks/connections';
import type { PipelineRuntime } from '@campaign-webhooks/kafka';
import type { PipelineMetrics } from '@campaign-webhooks/observability';
import { Gauge } from 'prom-client';

/**
 * Mirrors the connections change feed into an in-memory index, so matching, rendering and
 * delivery never query the database per event.
 */
export function mirrorConnections(
  runtime: PipelineRuntime,
  topic: string,
  metrics: PipelineMetrics,
): ConnectionIndex {
  const connections = new ConnectionIndex();
  runtime.mirror({ topic, apply: (key, value) => connections.applyChange(key, value) });
  new Gauge({
    name: 'webhooks_connections_cached',
    help: 'Connections held in memory from the change feed.',
    registers: [metrics.registry],
    collect() {
      this.set(connections.size);
    },
  });
  new Gauge({
    name: 'webhooks_connection_changes_applied',
    help: 'Connection changes applied from the change feed since start.',
    registers: [metrics.registry],
    collect() {
      this.set(connections.appliedChanges);
    },
  });
  return connections;
}
