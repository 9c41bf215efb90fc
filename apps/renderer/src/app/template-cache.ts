import type { ConnectionSnapshot } from '@campaign-webhooks/contracts';
import { parseTemplate, type CompiledTemplate } from '@campaign-webhooks/templating';
import type { Logger } from 'pino';

/**
 * Each connection's custom templates, compiled once per change. Keyed by the template's source
 * (each change on the feed parses a new one) rather than the connection's version: a change the
 * database rolled back is corrected on the feed at the same version.
 */
export class TemplateCache {
  private readonly compiled = new Map<string, { source: unknown; template: CompiledTemplate | null }>();

  constructor(private readonly logger?: Pick<Logger, 'warn'>) {}

  /** The custom template for the event, or null when the connection uses the default body. */
  for(connection: ConnectionSnapshot, event: string): CompiledTemplate | null {
    const key = `${connection.id}\0${event}`;
    const source = connection.templates[event];
    const cached = this.compiled.get(key);
    if (cached && cached.source === source) return cached.template;
    let template: CompiledTemplate | null = null;
    if (source !== undefined) {
      const parsed = parseTemplate(event, source);
      // Templates are validated when saved; one that no longer compiles (a later release checks
      // more) falls back to the default body, said once per change of it.
      if (parsed.ok) template = parsed.template;
      else
        this.logger?.warn(
          {
            connection_id: connection.id,
            event,
            errors: parsed.errors.slice(0, 3).map((error) => error.message),
          },
          'saved template no longer compiles; the default body goes out instead',
        );
    }
    this.compiled.set(key, { source, template });
    return template;
  }
}
