import type { ConnectionSnapshot } from '@campaign-webhooks/contracts';
import { parseTemplate, type CompiledTemplate } from '@campaign-webhooks/templating';
import type { Logger } from 'pino';

/**
 * Each connection's custom templates, compiled once per change. Keyed by the connection's
 * snapshot: the feed replaces it on every change (a change the database rolled back is corrected
 * at the same version, so the version would not do), and a snapshot replaced or deleted takes its
 * compiled templates with it.
 */
export class TemplateCache {
  private readonly compiled = new WeakMap<ConnectionSnapshot, Map<string, CompiledTemplate | null>>();

  constructor(private readonly logger?: Pick<Logger, 'warn'>) {}

  /** The custom template for the event, or null when the connection uses the default body. */
  for(connection: ConnectionSnapshot, event: string): CompiledTemplate | null {
    let byEvent = this.compiled.get(connection);
    if (!byEvent) this.compiled.set(connection, (byEvent = new Map()));
    const cached = byEvent.get(event);
    if (cached !== undefined) return cached;
    const template = this.compile(connection, event);
    byEvent.set(event, template);
    return template;
  }

  private compile(connection: ConnectionSnapshot, event: string): CompiledTemplate | null {
    const source = connection.templates[event];
    if (source === undefined) return null;
    const parsed = parseTemplate(event, source);
    if (parsed.ok) return parsed.template;
    // Templates are validated when saved; one that no longer compiles (a later release checks
    // more) falls back to the default body, said once per change of it.
    this.logger?.warn(
      {
        connection_id: connection.id,
        event,
        errors: parsed.errors.slice(0, 3).map((error) => error.message),
      },
      'saved template no longer compiles; the default body goes out instead',
    );
    return null;
  }
}
