import { interpolationText, jsonValueText } from './json-text';
import { formatJsonPath, JsonPath } from './json-path';
import { resolvePlaceholder, splitPlaceholders, StringSegment } from './placeholder';
import { ValueReader, valueReaderFor } from './placeholder-value';
import { RenderPart, RenderPlanBuilder, RenderSlot } from './render-plan';
import { TemplateError } from './template-error';

/** Deeper templates are refused: no webhook body needs it, and it bounds the compiler's recursion. */
export const MAX_TEMPLATE_DEPTH = 64;

export interface TemplateCompilation {
  parts: readonly RenderPart[];
  profileAttributes: readonly string[];
  errors: readonly TemplateError[];
}

/**
 * Compiles a JSON value into render parts: fixed JSON text, and slots for the strings holding
 * placeholders. Collects every error rather than stopping at the first.
 */
export function compileTemplateValue(
  value: unknown,
  availablePlaceholders: ReadonlySet<string>,
): TemplateCompilation {
  const compiler = new TemplateCompiler(availablePlaceholders);
  compiler.compileValue(value, [], 0);
  return compiler.result();
}

type CompiledSegment = string | ValueReader;

class TemplateCompiler {
  private readonly plan = new RenderPlanBuilder();
  private readonly errors: TemplateError[] = [];
  private readonly reportedPlaceholders = new Set<string>();
  private readonly profileAttributes = new Set<string>();

  constructor(private readonly availablePlaceholders: ReadonlySet<string>) {}

  result(): TemplateCompilation {
    return { parts: this.plan.build(), profileAttributes: [...this.profileAttributes], errors: this.errors };
  }

  compileValue(value: unknown, path: JsonPath, depth: number): void {
    if (typeof value === 'string') return this.compileString(value, path);
    if (value === null || typeof value === 'boolean') return this.plan.appendText(String(value));
    if (typeof value === 'number') return this.compileNumber(value, path);
    if (Array.isArray(value)) return this.compileArray(value, path, depth + 1);
    if (isPlainObject(value)) return this.compileObject(value, path, depth + 1);
    this.invalidValue(path, `${describeType(value)} is not a JSON value`);
  }

  private compileNumber(value: number, path: JsonPath): void {
    if (Number.isFinite(value)) this.plan.appendText(String(value));
    else this.invalidValue(path, `${value} is not a JSON number`);
  }

  private compileArray(items: readonly unknown[], path: JsonPath, depth: number): void {
    if (this.isTooDeep(path, depth)) return;
    this.plan.appendText('[');
    for (let index = 0; index < items.length; index++) {
      if (index > 0) this.plan.appendText(',');
      this.compileValue(items[index], [...path, index], depth);
    }
    this.plan.appendText(']');
  }

  private compileObject(entries: Readonly<Record<string, unknown>>, path: JsonPath, depth: number): void {
    if (this.isTooDeep(path, depth)) return;
    this.plan.appendText('{');
    Object.keys(entries).forEach((key, index) => {
      this.plan.appendText((index > 0 ? ',' : '') + JSON.stringify(key) + ':');
      this.compileValue(entries[key], [...path, key], depth);
    });
    this.plan.appendText('}');
  }

  private compileString(value: string, path: JsonPath): void {
    const segments = splitPlaceholders(value);
    const [first] = segments;
    if (segments.length === 1 && first !== undefined && 'text' in first) {
      this.plan.appendText(JSON.stringify(value));
      return;
    }
    const compiled = segments.map((segment) => this.compileSegment(segment, path));
    const [only] = compiled;
    if (compiled.length === 1 && typeof only === 'function') this.plan.appendSlot(typedValueSlot(only));
    else this.plan.appendSlot(interpolationSlot(compiled));
  }

  private compileSegment(segment: StringSegment, path: JsonPath): CompiledSegment {
    if ('text' in segment) return segment.text;
    const resolution = resolvePlaceholder(segment.placeholder, this.availablePlaceholders);
    if (!resolution.ok) {
      // Each unknown name once: a template repeating one thousands of times would otherwise answer
      // with an error, and the list of available names, for every occurrence.
      if (this.reportedPlaceholders.has(segment.placeholder)) return '';
      this.reportedPlaceholders.add(segment.placeholder);
      const at = formatJsonPath(path);
      this.errors.push({
        code: 'unknown_placeholder',
        message: `${resolution.reason} (at ${at})`,
        placeholder: segment.placeholder,
        path: at,
      });
      return '';
    }
    if (resolution.source.kind === 'profile') this.profileAttributes.add(resolution.source.attribute);
    return valueReaderFor(resolution.source);
  }

  private isTooDeep(path: JsonPath, depth: number): boolean {
    if (depth <= MAX_TEMPLATE_DEPTH) return false;
    this.invalidValue(path, `the template nests deeper than ${MAX_TEMPLATE_DEPTH} levels`);
    return true;
  }

  private invalidValue(path: JsonPath, reason: string): void {
    const at = formatJsonPath(path);
    this.errors.push({ code: 'invalid_value', message: `Invalid template at ${at}: ${reason}`, path: at });
  }
}

function typedValueSlot(read: ValueReader): RenderSlot {
  return (context) => jsonValueText(read(context));
}

function interpolationSlot(segments: readonly CompiledSegment[]): RenderSlot {
  return (context) => {
    let text = '';
    for (const segment of segments)
      text += typeof segment === 'string' ? segment : interpolationText(segment(context));
    return JSON.stringify(text);
  };
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describeType(value: unknown): string {
  if (typeof value === 'object' && value !== null)
    return `an object of type ${value.constructor?.name ?? 'unknown'}`;
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
