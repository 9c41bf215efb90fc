/**
 * The open-loop generator on a thread of its own (see generator-thread.ts): it produces to the
 * broker and answers each `run` message with the run's counts.
 */
import { keyHashPartitioner } from '@campaign-webhooks/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { GeneratorCommand, GeneratorReply, GeneratorSettings } from './generator-thread';
import { OpenLoopGenerator } from './open-loop-generator';

const settings = workerData as GeneratorSettings;
const port = parentPort;
if (!port) throw new Error('generator-worker.ts runs as a worker thread');

const kafka = new Kafka({
  brokers: settings.brokers,
  clientId: 'bench-generator',
  logLevel: logLevel.ERROR,
  logCreator: () => (entry) => port.postMessage({ type: 'log', line: JSON.stringify(entry.log) }),
});
// Idempotent, as the services' producers: a produce that kafkajs retries after a timeout cannot
// write its events twice. That takes one request in flight to the broker: the generator's other
// sends wait in kafkajs, their events keep their scheduled t0, and a request carries up to 1,000
// events, so the rate is not capped (the kafkajs ceiling, so set up, does over 100,000 a second).
// Retries stay at kafkajs's usual five, not the idempotent default of forever, so a broker that
// refuses the produce has it written off as unpublished rather than stalling the run.
const producer = kafka.producer({
  allowAutoTopicCreation: false,
  createPartitioner: keyHashPartitioner,
  idempotent: true,
  maxInFlightRequests: 1,
  retry: { retries: 5 },
});
const sequenced = new Int32Array(settings.sequenced);
const generator = new OpenLoopGenerator(
  producer,
  settings.topic,
  settings.projects,
  settings.tickMs,
  performance.timeOrigin - settings.receiverTimeOrigin,
);
let stopRequested = false;
const progress = setInterval(() => Atomics.store(sequenced, 0, generator.sequenced), 20);

function reply(message: GeneratorReply): void {
  port?.postMessage(message);
}

port.on('message', (command: GeneratorCommand) => {
  if (command.type === 'stop') {
    stopRequested = true;
  } else if (command.type === 'run') {
    stopRequested = false;
    generator
      .run(command.phase, command.rate, command.durationS, () => stopRequested)
      .then((run) => {
        Atomics.store(sequenced, 0, generator.sequenced);
        reply({
          type: 'ran',
          run: { ...run, sendDelay: run.sendDelay.snapshot() },
          sequenced: generator.sequenced,
          unpublished: generator.unpublished,
        });
      })
      .catch((error: unknown) => reply({ type: 'failed', error: String((error as Error).stack ?? error) }));
  } else if (command.type === 'close') {
    clearInterval(progress);
    void producer.disconnect().finally(() => port.close());
  }
});

producer.connect().then(
  // Linux names this thread's task <pid>/task/<tid>: the harness samples its CPU apart.
  () => reply({ type: 'ready', tid: Number(readlinkSync('/proc/thread-self').split('/').pop()) }),
  (error: unknown) => reply({ type: 'failed', error: String(error) }),
);
