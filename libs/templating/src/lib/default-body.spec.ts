import fc from 'fast-check';
import { MESSAGE_PROPERTY_KEYS, SUBSCRIPTION_PROPERTY_KEYS } from '@campaign-webhooks/contracts';
import { renderDefaultBody } from './default-body';

describe('renderDefaultBody', () => {
  it('writes the contract example of a message event exactly', () => {
    const body = renderDefaultBody({
      family: 'message',
      event: 'message_send',
      time: 1764201600,
      properties: {
        message_type: 'email',
        campaign_id: '12345',
        profile_id: 'p-8f1c',
        device_id: null,
        trigger_id: 't-991',
        error_message: null,
        user_id: 'user-42',
        email: 'jane@example.com',
        external_message_id: 'ext-7',
      },
    });

    expect(body).toBe(
      '{"event":"message_send","time":1764201600,"properties":{"message_type":"email","campaign_id":"12345",' +
        '"profile_id":"p-8f1c","device_id":null,"trigger_id":"t-991","error_message":null,"user_id":"user-42",' +
        '"email":"jane@example.com","external_message_id":"ext-7"}}',
    );
  });

  it('writes a subscription event with its six keys in contract order', () => {
    const body = renderDefaultBody({
      family: 'subscription',
      event: 'message_opt_out',
      time: 1764201600,
      properties: { source: 'ui', channel: 'email', profile_id: 'p-1', email: 'a@b.c' },
    });

    expect(body).toBe(
      '{"event":"message_opt_out","time":1764201600,"properties":{"profile_id":"p-1","user_id":null,' +
        '"email":"a@b.c","channel":"email","preference":null,"source":"ui"}}',
    );
  });

  it('writes every key as null when no property is known', () => {
    const body = renderDefaultBody({ family: 'message', event: 'message_open', time: 0, properties: {} });

    expect(JSON.parse(body).properties).toEqual(
      Object.fromEntries(MESSAGE_PROPERTY_KEYS.map((key) => [key, null])),
    );
  });

  it('leaves out properties outside the contract', () => {
    const body = renderDefaultBody({
      family: 'subscription',
      event: 'message_opt_in',
      time: 1,
      properties: { integration_id: 'i-1', extra: { nested: true }, user_id: 'u' },
    });

    expect(Object.keys(JSON.parse(body).properties)).toEqual([...SUBSCRIPTION_PROPERTY_KEYS]);
    expect(body).not.toContain('integration_id');
  });

  it('escapes quotes, backslashes, control characters and lone surrogates', () => {
    const email = 'a"b\\c\n\u0000\ud800}{"x":1}';
    const body = renderDefaultBody({
      family: 'message',
      event: 'message_send',
      time: 1,
      properties: { email },
    });

    expect(JSON.parse(body).properties.email).toBe(email);
  });

  it('equals JSON.stringify of the equivalent object for arbitrary properties', () => {
    const family = fc.constantFrom('message' as const, 'subscription' as const);
    const propertyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string({ unit: 'binary' }));
    const properties = fc.dictionary(
      fc.oneof(fc.constantFrom(...MESSAGE_PROPERTY_KEYS, ...SUBSCRIPTION_PROPERTY_KEYS), fc.string()),
      propertyValue,
    );

    fc.assert(
      fc.property(
        family,
        fc.string(),
        fc.integer({ min: 0 }),
        properties,
        (family, event, time, properties) => {
          const keys = family === 'message' ? MESSAGE_PROPERTY_KEYS : SUBSCRIPTION_PROPERTY_KEYS;
          const equivalent = {
            event,
            time,
            properties: Object.fromEntries(keys.map((key) => [key, properties[key] ?? null])),
          };

          expect(renderDefaultBody({ family, event, time, properties })).toBe(JSON.stringify(equivalent));
        },
      ),
    );
  });
});
