/**
 * Summarises a `.heapprofile` from allocation-sampler.cjs: bytes allocated per webhook, by
 * package and by allocating function.
 *
 *   node test/bench/allocation-report.mjs allocations-<pid>.heapprofile <webhooks in the window>
 */
import { readFileSync } from 'node:fs';

const [file, webhooksArgument] = process.argv.slice(2);
const webhooks = Number(webhooksArgument);
if (!file || !(webhooks > 0)) {
  console.error('usage: node test/bench/allocation-report.mjs <file.heapprofile> <webhooks in the window>');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(file, 'utf8'));
const byPackage = new Map();
const byFunction = new Map();
let total = 0;

function add(map, key, bytes) {
  map.set(key, (map.get(key) ?? 0) + bytes);
}

function packageOf(url) {
  const inModules = url.split('node_modules/')[1];
  if (inModules)
    return inModules
      .split('/')
      .slice(0, inModules.startsWith('@') ? 2 : 1)
      .join('/');
  return url.startsWith('node:') ? url : url.replace(/.*\/(dist|test)\//, '$1/') || '(V8)';
}

for (const stack = [profile.head]; stack.length > 0; ) {
  const node = stack.pop();
  const { functionName, url, lineNumber } = node.callFrame;
  total += node.selfSize;
  add(byPackage, packageOf(url), node.selfSize);
  add(byFunction, `${functionName || '(anonymous)'} ${packageOf(url)}:${lineNumber + 1}`, node.selfSize);
  stack.push(...node.children);
}

function print(title, map, count) {
  console.log(`\n${title}`);
  for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    const perWebhook = Math.round(bytes / webhooks).toLocaleString('en');
    console.log(`${perWebhook.padStart(8)} B  ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
}

console.log(`${Math.round(total / webhooks).toLocaleString('en')} bytes allocated per webhook`);
print('by package, per webhook', byPackage, 12);
print('by allocating function, per webhook', byFunction, 25);
