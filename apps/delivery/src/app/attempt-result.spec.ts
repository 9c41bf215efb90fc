import type { SendErrorKind, SendResult } from '@campaign-webhooks/http-delivery';
import { judgeAttempt } from './attempt-result';

const response = (status: number, headers: Record<string, string> = {}): SendResult => ({
  kind: 'response',
  status,
  headers,
  body: '',
  durationMs: 3,
});

describe('judgeAttempt', () => {
  it.each([200, 201, 204, 299])('delivers on %i', (status) => {
    expect(judgeAttempt(response(status)).kind).toBe('delivered');
  });

  it.each([301, 307, 308, 408, 429, 500, 502, 503])('retries %i', (status) => {
    expect(judgeAttempt(response(status))).toMatchObject({ kind: 'retry', error: `http_${status}` });
  });

  it('carries Retry-After', () => {
    expect(judgeAttempt(response(429, { 'retry-after': '7' }))).toEqual({
      kind: 'retry',
      error: 'http_429',
      retryAfterMs: 7000,
    });
  });

  it.each([400, 404, 410, 422])('fails without retry on %i', (status) => {
    expect(judgeAttempt(response(status))).toEqual({ kind: 'fail', error: `http_${status}` });
  });

  it.each([401, 403])('reports %i as a rejection of our credentials', (status) => {
    expect(judgeAttempt(response(status)).kind).toBe('auth_rejected');
  });

  it('retries errors before an answer, TLS and unknown ones too, but not refused addresses', () => {
    const error = (kind: SendErrorKind): SendResult => ({
      kind: 'error',
      error: kind,
      message: 'x',
      durationMs: 1,
    });
    expect(judgeAttempt(error('timeout'))).toEqual({ kind: 'retry', error: 'timeout: x' });
    expect(judgeAttempt(error('connection'))).toEqual({ kind: 'retry', error: 'connection: x' });
    expect(judgeAttempt(error('tls'))).toEqual({ kind: 'retry', error: 'tls: x' });
    expect(judgeAttempt(error('other'))).toEqual({ kind: 'retry', error: 'other: x' });
    expect(judgeAttempt(error('forbidden_address'))).toEqual({ kind: 'fail', error: 'forbidden_address: x' });
  });
});
