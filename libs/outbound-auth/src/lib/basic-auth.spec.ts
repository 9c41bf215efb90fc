import { basicAuthorization } from './basic-auth';

function decodedCredentials(header: string): string {
  return Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
}

describe('basicAuthorization', () => {
  it('is "Basic " and the base64 of username:password', () => {
    expect(basicAuthorization('Aladdin', 'open sesame')).toBe('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
  });

  it('encodes UTF-8 and keeps colons in the password', () => {
    expect(decodedCredentials(basicAuthorization('jürgen', 'pa:ss:€'))).toBe('jürgen:pa:ss:€');
  });

  it('refuses a username with a colon, which the receiver would split wrongly', () => {
    expect(() => basicAuthorization('a:b', 'secret')).toThrow('a Basic Auth username must not contain ":"');
  });
});
