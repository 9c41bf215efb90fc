import type { ConnectionSnapshot } from '@campaign-webhooks/contracts';
import { parseTemplate, type CompiledTemplate } from '@campaign-webhooks/templating';

/** Each connection's custom templates, compiled once per connection version. */
export class TemplateCache {
  private readonly compiled = new Map<string, { version: number; template: CompiledTemplate | null }>();

  /** The custom template for the event, or null when the connection uses the default body. */
  for(connection: ConnectionSnapshot, event: string): CompiledTemplate | null {
    const key = `${connection.id}\0${event}`;
    const cached = this.compiled.get(key);
    if (cached && cached.version === connection.version) return cached.template;
    const source = connection.templates[event];
    let template: CompiledTemplate | null = null;
    if (source !== undefined) {
      const parsed = parseTemplate(event, source);
      // Templates are validated when saved; one that no longer compiles falls back to the default.
      if (parsed.ok) template = parsed.template;
    }
    this.compiled.set(key, { version: connection.version, template });
    return template;
  }
}
