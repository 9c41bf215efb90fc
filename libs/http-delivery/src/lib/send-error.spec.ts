import { describeSendError } from './send-error';

function errorWithCode(code: string, message = `failed with ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeSendError', () => {
  it.each([
    ['EFORBIDDENADDRESS', 'forbidden_address'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['ETIMEDOUT', 'timeout'],
    ['ECONNREFUSED', 'connection'],
    ['ECONNRESET', 'connection'],
    ['EHOSTUNREACH', 'connection'],
    ['ENOTFOUND', 'connection'],
    ['EAI_AGAIN', 'connection'],
    ['ETIMEOUT', 'connection'],
    ['ESERVFAIL', 'connection'],
    ['EREFUSED', 'connection'],
    ['UND_ERR_SOCKET', 'connection'],
    ['UND_ERR_ABORTED', 'connection'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['UND_ERR_PRX_TLS', 'tls'],
    ['UND_ERR_INVALID_ARG', 'other'],
  ])('classifies %s as %s', (code, kind) => {
    expect(describeSendError(errorWithCode(code))).toEqual({ error: kind, message: `failed with ${code}` });
  });

  it('classifies a Happy Eyeballs failure by the first coded error inside it', () => {
    const error = new AggregateError([
      errorWithCode('ECONNREFUSED', 'connect ECONNREFUSED ::1:80'),
      errorWithCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:80'),
    ]);
    expect(describeSendError(error)).toEqual({
      error: 'connection',
      message: 'connect ECONNREFUSED ::1:80; connect ECONNREFUSED 127.0.0.1:80',
    });
  });

  it('keeps the message on one line and copes with things that are not errors', () => {
    expect(describeSendError(new Error('first\n  second'))).toEqual({
      error: 'other',
      message: 'first second',
    });
    expect(describeSendError('plain string')).toEqual({ error: 'other', message: 'plain string' });
    expect(describeSendError(null)).toEqual({ error: 'other', message: 'null' });
  });
});
