import { z } from 'zod';

export class ConfigError extends Error {}

/**
 * Parses the environment with a schema whose keys are variable names. A bad or missing value
 * becomes one line naming the variable, what was expected and what was given (never the value of
 * a secret).
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const present: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') present[key] = value;
  }
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    return `${name} ${describe(issue.message)}${shownValue(name, present[name])}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** Parses the environment or stops the process with one clear line on stderr. */
export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(1);
  }
}

function describe(message: string): string {
  if (message.startsWith('Invalid input: expected') && message.endsWith('received undefined')) {
    return 'is required';
  }
  return message.startsWith('is ') || message.startsWith('expected') ? message : `is invalid: ${message}`;
}

const secretNames = /KEY|SECRET|PASSWORD|TOKEN|URL/;

function shownValue(name: string, value: string | undefined): string {
  if (value === undefined || secretNames.test(name)) return '';
  return ` (got ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)})`;
}
