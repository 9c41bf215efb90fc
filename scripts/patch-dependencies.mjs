// Fixes to installed dependencies, applied after every npm install (the postinstall script, and
// the container image's build). kafkajs 2.2.4 is its last release, so its fixes live here.
// Each edit replaces one exact passage; running again changes nothing, and a passage found in
// neither form stops the install, so a changed dependency can't go unpatched unnoticed.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const patches = [
  {
    // tulios/kafkajs#1556 and #1704: after every response the queue re-armed a timer with a
    // negative delay (so 1 ms) whether or not a request waited, so every broker connection woke
    // its process a thousand times a second for as long as it lived. The timer is now armed only
    // for a request held back by throttling; the in-flight limit already re-checks on responses.
    why: 'kafkajs: arm the pending-request timer only when a request waits',
    file: 'node_modules/kafkajs/src/network/requestQueue/index.js',
    before: `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId) {
      if (this.pending.length > 0) {
        scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL
      }
      this.throttleCheckTimeoutId = setTimeout(() => {`,
    after: `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId && this.pending.length > 0) {
      scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL
      this.throttleCheckTimeoutId = setTimeout(() => {`,
  },
];

function apply({ why, file, before, after }) {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  if (text.includes(after)) return 'already applied';
  if (!text.includes(before)) throw new Error(`${file} has changed; review the patch "${why}"`);
  writeFileSync(path, text.replace(before, after));
  return 'applied';
}

for (const patch of patches) console.log(`patch-dependencies: ${patch.why}: ${apply(patch)}`);
