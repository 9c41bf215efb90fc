// Parses each service's settings from the environment a deployment gives it, the way the
// service does at start. Reads { "<service>": { NAME: value } } as JSON on stdin and writes
// { "<service>": null | "<the line the service would stop with>" } on stdout.
import { ConfigError, parseConfig } from '@campaign-webhooks/config';
import { adminConfigSchema } from '../../apps/admin-api/src/config';
import { deliveryConfigSchema } from '../../apps/delivery/src/config';
import { notifierConfigSchema } from '../../apps/notifier/src/config';
import { rendererConfigSchema } from '../../apps/renderer/src/config';
import { filterConfigSchema } from '../../apps/subscription-filter/src/config';

const schemas = {
  'admin-api': adminConfigSchema,
  'subscription-filter': filterConfigSchema,
  renderer: rendererConfigSchema,
  delivery: deliveryConfigSchema,
  notifier: notifierConfigSchema,
};

function problem(service: string, env: Record<string, string>): string | null {
  const schema = schemas[service as keyof typeof schemas];
  if (!schema) return `unknown service ${service}`;
  try {
    parseConfig(schema, env);
    return null;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const environments = JSON.parse(input) as Record<string, Record<string, string>>;
  const problems = Object.fromEntries(
    Object.entries(environments).map(([service, env]) => [service, problem(service, env)]),
  );
  process.stdout.write(JSON.stringify(problems));
});
