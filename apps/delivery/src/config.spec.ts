import { parseConfig } from '@campaign-webhooks/config';
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

describe('delivery settings, as the service stops on them', () => {
  const problem = (env: Record<string, string>) => {
    try {
      parseConfig(deliveryConfigSchema, { ...required, ...env });
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('refuses an error percentage a breaker could never reach', () => {
    expect(problem({ BREAKER_ERROR_PERCENTAGE: '150' })).toMatch(
      /^invalid configuration: BREAKER_ERROR_PERCENTAGE is invalid: .*100/,
    );
    expect(problem({ BREAKER_ERROR_PERCENTAGE: '100' })).toBeNull();
  });

  it('refuses an interface name as the static egress address', () => {
    expect(problem({ STATIC_EGRESS_LOCAL_ADDRESS: 'eth0' })).toBe(
      'invalid configuration: STATIC_EGRESS_LOCAL_ADDRESS expected an IPv4 or IPv6 address (got "eth0")',
    );
  });

  it('refuses a local address and a proxy together: a connection leaves through one', () => {
    expect(
      problem({
        STATIC_EGRESS_LOCAL_ADDRESS: '10.0.0.5',
        STATIC_EGRESS_PROXY_URL: 'http://proxy.internal:3128',
      }),
    ).toBe(
      'invalid configuration: STATIC_EGRESS_PROXY_URL is set as well as STATIC_EGRESS_LOCAL_ADDRESS: ' +
        'choose one static egress, not both',
    );
  });

  it.each(['DELIVERY_TIMEOUT_MS', 'BREAKER_RESET_MS', 'BREAKER_WINDOW_MS'])(
    'refuses a %s past what a timer can wait',
    (name) => {
      expect(problem({ [name]: '2147483648' })).toMatch(
        new RegExp(`^invalid configuration: ${name} expected whole milliseconds from 1 to \\d+ `),
      );
    },
  );

  it('refuses a retry delay longer than a week, which a timer might not wait for', () => {
    expect(problem({ RETRY_SCHEDULE: '5s,25d' })).toBe(
      'invalid configuration: RETRY_SCHEDULE expected durations separated by commas: ' +
        '"25d" is longer than 7d (got "5s,25d")',
    );
    expect(problem({ RETRY_SCHEDULE: '5s,7d' })).toBeNull();
  });
});
