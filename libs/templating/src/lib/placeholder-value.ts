import { PlaceholderSource } from './placeholder';
import { TemplateContext } from './template-context';

export type ValueReader = (context: TemplateContext) => unknown;

/** A function reading a placeholder's value from the context; `undefined` when there is no data. */
export function valueReaderFor(source: PlaceholderSource): ValueReader {
  switch (source.kind) {
    case 'envelope': {
      const { name } = source;
      return (context) => context[name];
    }
    case 'property': {
      const { name } = source;
      return (context) => ownValue(context.properties, name);
    }
    case 'profile':
      return profileAttributeReader(source.attribute);
  }
}

/**
 * An attribute named `a.b` is read as the profile's own `a.b` key when it has one, otherwise as
 * `b` inside the object at `a`: profiles hold both flat dotted keys and nested objects.
 */
function profileAttributeReader(attribute: string): ValueReader {
  const path = attribute.split('.');
  return (context) => {
    const profile = context.profile;
    if (profile === null || profile === undefined) return undefined;
    if (Object.hasOwn(profile, attribute)) return profile[attribute];
    return path.length > 1 ? nestedValue(profile, path) : undefined;
  };
}

function nestedValue(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = ownValue(current as Readonly<Record<string, unknown>>, key);
  }
  return current;
}

function ownValue(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
