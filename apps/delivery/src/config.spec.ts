import { deliveryConfigSchema } from './config';

const required = { SECRETS_KEY: 'a'.repeat(64) };

describe('delivery settings', () => {
  it('takes an http:// or https:// static egress proxy', () => {
    for (const url of ['http://proxy.internal:3128', 'https://proxy.internal']) {
      expect(deliveryConfigSchema.parse({ ...required, STATIC_EGRESS_PROXY_URL: url })).toMatchObject({
        STATIC_EGRESS_PROXY_URL: url,
      });
    }
  });

  it('refuses a SOCKS proxy, which would open connections past the address checks', () => {
    const parsed = deliveryConfigSchema.safeParse({
      ...required,
      STATIC_EGRESS_PROXY_URL: 'socks5://proxy.internal:1080',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['STATIC_EGRESS_PROXY_URL'],
      message: 'expected an http:// or https:// proxy URL',
    });
  });
});
