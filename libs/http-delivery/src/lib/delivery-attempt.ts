import type { Dispatcher } from 'undici';
import { describeSendError, type DescribedSendError } from './send-error';
import type { SendResult } from './send-result';

type IncomingHeaders = Record<string, string | string[]>;

class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

class ResponseCappedError extends Error {
  override readonly name = 'ResponseCappedError';
}

/**
 * One POST as an undici dispatch handler: collects at most `maxResponseBytes` of the body and
 * settles exactly once, on the response, an error, or the deadline (which also covers time spent
 * queued for a connection). A handler instead of `request()` saves the response stream, the abort
 * signal and their listeners on every request.
 */
export class DeliveryAttempt implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private headers: IncomingHeaders = {};
  private chunks: Buffer[] = [];
  private receivedBytes = 0;
  private settled = false;
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly settle: (result: SendResult) => void,
    private readonly startedAt: number,
    private readonly timeoutMs: number,
    private readonly maxResponseBytes: number,
  ) {
    this.deadline = setTimeout(onDeadline, timeoutMs, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.settled) {
      controller.abort(new DeadlineExceededError(`no response within ${this.timeoutMs} ms`));
      return;
    }
    this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: unknown): void {
    if (statusCode < 200) {
      return;
    }
    this.status = statusCode;
    this.headers = headers as IncomingHeaders;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) {
      return;
    }
    const room = this.maxResponseBytes - this.receivedBytes;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.receivedBytes += chunk.length;
      return;
    }
    if (room > 0) {
      this.chunks.push(chunk.subarray(0, room));
      this.receivedBytes += room;
    }
    this.settleWithResponse();
    controller.abort(new ResponseCappedError(`response body exceeds ${this.maxResponseBytes} bytes`));
  }

  onResponseEnd(): void {
    if (!this.settled) {
      this.settleWithResponse();
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.settled) {
      return;
    }
    if (this.status !== 0) {
      // The endpoint answered; a body cut short does not change its status.
      this.settleWithResponse();
      return;
    }
    this.settleWithError(describeSendError(error));
  }

  /** Settles at the deadline, then releases the connection. */
  expire(): void {
    if (this.settled) {
      return;
    }
    if (this.status !== 0) {
      this.settleWithResponse();
    } else {
      this.settleWithError({ error: 'timeout', message: `no response within ${this.timeoutMs} ms` });
    }
    this.controller?.abort(new DeadlineExceededError(`no response within ${this.timeoutMs} ms`));
  }

  private settleWithResponse(): void {
    this.settled = true;
    clearTimeout(this.deadline);
    this.settle({
      kind: 'response',
      status: this.status,
      headers: this.headers,
      body: decodeBody(this.chunks, this.receivedBytes),
      durationMs: performance.now() - this.startedAt,
    });
    this.chunks = [];
  }

  private settleWithError(failure: DescribedSendError): void {
    this.settled = true;
    clearTimeout(this.deadline);
    this.settle({
      kind: 'error',
      error: failure.error,
      message: failure.message,
      durationMs: performance.now() - this.startedAt,
    });
  }
}

function onDeadline(attempt: DeliveryAttempt): void {
  attempt.expire();
}

function decodeBody(chunks: Buffer[], length: number): string {
  if (chunks.length === 0) {
    return '';
  }
  if (chunks.length === 1) {
    return chunks[0].toString('utf8');
  }
  return Buffer.concat(chunks, length).toString('utf8');
}
