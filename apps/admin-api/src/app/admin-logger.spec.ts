import { Writable } from 'node:stream';
import pino from 'pino';
import { withBodyRedaction } from './admin-logger';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: withBodyRedaction(pino({ name: 'admin-api' }, stream)), lines };
}

describe('withBodyRedaction', () => {
  const secret = 's3cret-value-0123456789';

  it.each([
    [
      'a request with its body',
      { req: { method: 'POST', url: '/v1/connections', body: { auth: { password: secret } } } },
    ],
    ['raw body text at the top level', { body: `{"auth":{"type":"bearer","token":"${secret}"}}` }],
    [
      'a body-parser error carrying the raw text',
      { err: { type: 'entity.parse.failed', body: `{"password":"${secret}"` } },
    ],
    [
      'credentials the shared paths name',
      { auth: { password: secret }, connection: { clientSecret: secret } },
    ],
    ['an authorization header', { req: { headers: { authorization: `Bearer ${secret}` } } }],
  ])('keeps the secret out of %s', (_case, fields) => {
    const { logger, lines } = capturingLogger();

    logger.info(fields, 'request completed');

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });

  it('still logs what is not secret', () => {
    const { logger, lines } = capturingLogger();

    logger.info({ req: { method: 'PATCH', url: '/v1/connections/abc' }, res: { statusCode: 200 } }, 'done');

    expect(JSON.parse(lines[0])).toMatchObject({
      name: 'admin-api',
      req: { method: 'PATCH', url: '/v1/connections/abc' },
      res: { statusCode: 200 },
      msg: 'done',
    });
  });
});
