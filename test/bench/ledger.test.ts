/**
 * The ledger's and the short run's logic, without a stack:
 *   npx tsx --tsconfig test/tsconfig.json --test test/bench/ledger.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageEvent } from './bench-event';
import { BenchReceiver } from './bench-receiver';
import { DeliveredSet } from './delivered-set';
import { countLedger, retryPending, type Ledger } from './ledger';
import { shortRunFailures } from './short-run';
import { buildTopology, connectionOf, routedIndex, webhookIndex } from './topology';

// 4 connections in 2 projects of 2: event seq reaches connections 2 × (seq % 2) and the next.
const topology = buildTopology(4, 2, 0);

function deliveredSet(indexes: number[]): DeliveredSet {
  const set = new DeliveredSet(0);
  for (const index of indexes) set.mark(index, undefined, 0);
  return set;
}

describe('routedIndex', () => {
  it('indexes a webhook only at a connection its event reaches', () => {
    // Event 1 reaches connections 2 and 3; connection 0 has event 1's slot but not its project.
    assert.equal(routedIndex(topology, 1, 3), webhookIndex(topology, 1, 3));
    assert.equal(routedIndex(topology, 1, 0), undefined);
  });
});

describe('countLedger', () => {
  it('counts each webhook once, in the first of delivered, dead-lettered, retrying, missing', () => {
    // 3 events, 6 webhooks: 0, 1 delivered; 2 dead-lettered and retried; 3 retrying; 4, 5 missing.
    const counts = countLedger(topology, 3, [], deliveredSet([0, 1]), new Set([2]), new Set([2, 3]));
    assert.deepEqual(
      { ...counts, missingExamples: undefined },
      {
        published: 6,
        delivered: 2,
        deadLettered: 1,
        retrying: 1,
        missing: 2,
        unexpected: 0,
        missingExamples: undefined,
      },
    );
    assert.deepEqual(counts.missingExamples, [
      { seq: 2, connection: 0 },
      { seq: 2, connection: 1 },
    ]);
  });

  it('counts deliveries of unpublished or never sequenced events as unexpected', () => {
    // Event 1 written off; events 0 and 1 delivered, and a webhook of event 5, never sequenced.
    const counts = countLedger(
      topology,
      2,
      [{ fromSeq: 1, count: 1 }],
      deliveredSet([0, 1, 2, 3, 10]),
      new Set(),
      new Set(),
    );
    assert.equal(counts.published, 2);
    assert.equal(counts.delivered, 2);
    assert.equal(counts.missing, 0);
    assert.equal(counts.unexpected, 3);
  });
});

describe('retryPending', () => {
  it('is pending with no outcome since the latest retry, or when the latest attempt retries again', () => {
    assert.equal(retryPending(1, undefined), true); // parked before any attempt
    assert.equal(retryPending(3, { attempt: 2, status: 'retrying' }), true);
    assert.equal(retryPending(3, { attempt: 3, status: 'retrying' }), true);
  });

  it('is settled once an attempt of the latest retry delivered, failed, or the delivery was skipped', () => {
    assert.equal(retryPending(2, { attempt: 2, status: 'delivered' }), false);
    assert.equal(retryPending(2, { attempt: 3, status: 'failed' }), false);
    assert.equal(retryPending(2, { attempt: 0, status: 'skipped' }), false);
  });

  it('is pending when a retry was written after the attempt that settled it', () => {
    assert.equal(retryPending(3, { attempt: 2, status: 'delivered' }), true);
  });
});

describe('shortRunFailures', () => {
  const ledger: Ledger = {
    published: 1_000,
    delivered: 990,
    retrying: 10,
    deadLettered: 0,
    missing: 0,
    duplicates: 0,
    unexpected: 0,
    misrouted: 0,
    misroutedExamples: [],
    unpublishedEvents: 0,
    retryOutcomesRead: true,
    missingExamples: [],
    duplicateExamples: [],
    duplicateOutcomes: [],
    webhookIdCheck: { checked: true, distinctIds: 990, mismatches: 0 },
  };
  const phases = [
    { name: 'warmup', targetRate: 100, plannedS: 2, published: 200, cutForLag: false },
    { name: 'steady-500', targetRate: 500, plannedS: 1.6, published: 800, cutForLag: false },
  ];

  it('passes a complete ledger, webhooks still retrying included', () => {
    assert.deepEqual(shortRunFailures(ledger, phases), []);
  });

  it('fails when the broker refused every produce, though nothing is missing', () => {
    const refused: Ledger = {
      ...ledger,
      published: 0,
      delivered: 0,
      retrying: 0,
      unpublishedEvents: 1_000,
      unpublishedError: 'This server does not host this topic-partition',
    };
    const failures = shortRunFailures(
      refused,
      phases.map((phase) => ({ ...phase, published: 0 })),
    );
    assert.deepEqual(failures, [
      '1000 events unpublished: the broker refused their produce (This server does not host this topic-partition)',
      'phase warmup published 0 of the 200 events planned',
      'phase steady-500 published 0 of the 800 events planned',
      'no webhook delivered',
    ]);
  });

  it('does not judge a phase cut for lag by what it published', () => {
    const cut = [{ ...phases[1], published: 300, cutForLag: true }];
    assert.deepEqual(shortRunFailures(ledger, cut), []);
  });

  it('fails on misrouted or unexpected deliveries, webhook-id mismatches, or outcomes not read', () => {
    const failures = shortRunFailures(
      {
        ...ledger,
        misrouted: 1,
        unexpected: 2,
        webhookIdCheck: { ...ledger.webhookIdCheck, mismatches: 3 },
        retryOutcomesRead: false,
      },
      phases,
    );
    assert.deepEqual(failures, [
      '1 webhooks delivered to a connection their event does not reach',
      '2 webhooks delivered that no published event called for',
      '3 webhook-id mismatches',
      'webhooks.outcomes not read: a retrying webhook cannot be told from a lost one',
    ]);
  });

  it('fails without a ledger, or with a webhook missing', () => {
    assert.deepEqual(shortRunFailures(undefined, phases), ['no ledger']);
    assert.deepEqual(shortRunFailures({ ...ledger, missing: 1 }, phases), ['1 webhooks missing']);
  });
});

describe('BenchReceiver', () => {
  it('counts a webhook at a connection its event does not reach as misrouted, not delivered', async () => {
    const receiver = new BenchReceiver(topology, 100);
    await receiver.start(1);
    try {
      // Event 1 is project 1's: connections 2 and 3. Connection 0 has the same slot as 2.
      const post = (connection: number, webhookId: string) =>
        fetch(receiver.urlOf(connection), {
          method: 'POST',
          headers: { 'webhook-id': webhookId },
          body: messageEvent({ seq: 1, phase: 0, t0: performance.now() }, topology.projects).value,
        });
      assert.equal(connectionOf(topology, 1, 0), 2);
      assert.equal((await post(0, 'wrong')).status, 200);
      assert.equal((await post(2, 'right')).status, 200);
      assert.equal(receiver.read().misrouted, 1);
      assert.equal(receiver.read().delivered, 1);
      assert.deepEqual(receiver.misroutedExamples, [{ seq: 1, connection: 0 }]);
      assert.equal(receiver.delivered.has(webhookIndex(topology, 1, 2)), true);
      assert.equal(receiver.delivered.idCheck().mismatches, 0);
    } finally {
      await receiver.close();
    }
  });
});
