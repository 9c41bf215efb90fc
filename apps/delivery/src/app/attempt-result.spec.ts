import type { SendResult } from '@campaign-webhooks/http-delivery';
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

  it.each([408, 429, 500, 502, 503])('retries %i', (status) => {
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

  it('retries timeouts and connection errors, not refused addresses', () => {
    const error = (kind: 'timeout' | 'connection' | 'forbidden_address'): SendResult => ({
      kind: 'error',
      error: kind,
      message: 'x',
      durationMs: 1,
    });
    expect(judgeAttempt(error('timeout')).kind).toBe('retry');
    expect(judgeAttempt(error('connection')).kind).toBe('retry');
    expect(judgeAttempt(error('forbidden_address')).kind).toBe('fail');
  });
});
