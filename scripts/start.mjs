// npm start: the whole pipeline on a local Kafka broker and PostgreSQL. Ctrl-C stops it all.
// npm run demo (or npm start -- --demo): also sends sample events to a local receiver.
import { join } from 'node:path';
import { localEnv, root } from './local-env.mjs';
import { startMailCatcher } from './mail-catcher.mjs';
import {
  buildServices,
  ensureDependencies,
  run,
  startServices,
  stopServices,
  waitUntilReady,
} from './processes.mjs';

const demo = process.argv.includes('--demo');
const verbose = process.argv.includes('--verbose');

ensureDependencies();
buildServices();
const env = localEnv();
const stack = join(root, 'deploy', 'local', 'stack.sh');
run(stack, ['up'], env);

// Without an SMTP_URL of the user's own, notify-on-error emails are printed here.
const mailCatcher = process.env.SMTP_URL
  ? undefined
  : await startMailCatcher(env.SMTP_URL, (line) => console.log(`[mail] ${line}`)).catch((error) => {
      console.log(`[mail] no mail catcher on ${env.SMTP_URL} (${error.message}); emails wait and retry`);
    });
const services = startServices(env, printLogLine);
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping services…');
  await stopServices(services);
  mailCatcher?.close();
  run(stack, ['down'], env);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
for (const { name, child } of services) {
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${name} exited with ${code}; stopping everything`);
      void stop(1);
    }
  });
}

try {
  await waitUntilReady(services);
} catch (error) {
  console.error(error.message);
  await stop(1);
}
const apiKey = env.ADMIN_API_KEYS.split(',')[0].split(':').slice(1).join(':');
console.log(`
campaign-webhooks is running
  Kafka        ${env.KAFKA_BROKERS}
  PostgreSQL   ${env.DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}
${services.map(({ name, port }) => `  ${name.padEnd(20)} http://127.0.0.1:${port}  (/metrics /healthz /readyz)`).join('\n')}
  Admin API docs http://127.0.0.1:3000/docs   API key: ${apiKey} (project "demo")
  Mail         ${mailCatcher ? `${env.SMTP_URL} (notify-on-error emails are printed here)` : env.SMTP_URL.replace(/\/\/[^@/]*@/, '//***@')}

Send a first event:
  1. create a connection:  curl -s -X POST http://127.0.0.1:3000/v1/connections \\
       -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' \\
       -d '{"name":"first","url":"http://127.0.0.1:4000/hook","auth":{"type":"none"},"messageEvents":["message_open"],"channels":["email"]}'
  2. publish a message event to campaign.message-events (see README), or run: npm run demo
Ctrl-C stops everything this command started.
`);

if (demo) {
  const { runDemo } = await import('./demo.mjs');
  try {
    await runDemo(env);
  } catch (error) {
    console.error(`demo failed: ${error.message}`);
  }
}

function printLogLine(name, line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    console.log(`[${name}] ${line}`);
    return;
  }
  if (!verbose && entry.level < 40 && !/listening|consuming|migrated|topics ready/.test(entry.msg ?? ''))
    return;
  console.log(`[${name}] ${entry.msg ?? line}`);
}
