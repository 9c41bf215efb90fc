import fc from 'fast-check';
import {
  MESSAGE_EVENTS,
  MESSAGE_PROPERTY_KEYS,
  SUBSCRIPTION_EVENTS,
  eventFamily,
} from '@campaign-webhooks/contracts';
import { renderDefaultBody } from './default-body';
import { defaultTemplate } from './default-template';
import { parseTemplate } from './template';

describe('defaultTemplate', () => {
  it('writes every variable of a message event as a placeholder', () => {
    expect(JSON.stringify(defaultTemplate('message_click'))).toBe(
      '{"event":"{{event}}","time":"{{time}}","properties":{"message_type":"{{message_type}}",' +
        '"campaign_id":"{{campaign_id}}","profile_id":"{{profile_id}}","device_id":"{{device_id}}",' +
        '"trigger_id":"{{trigger_id}}","error_message":"{{error_message}}","user_id":"{{user_id}}",' +
        '"email":"{{email}}","external_message_id":"{{external_message_id}}"}}',
    );
  });

  it('writes the six subscription properties for a subscription event', () => {
    expect(defaultTemplate('preference_opt_out').properties).toEqual({
      profile_id: '{{profile_id}}',
      user_id: '{{user_id}}',
      email: '{{email}}',
      channel: '{{channel}}',
      preference: '{{preference}}',
      source: '{{source}}',
    });
  });

  it('renders exactly the default body', () => {
    const event = fc.constantFrom(...MESSAGE_EVENTS, ...SUBSCRIPTION_EVENTS);
    const properties = fc.dictionary(
      fc.constantFrom(...MESSAGE_PROPERTY_KEYS, 'channel', 'preference', 'source'),
      fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined), fc.jsonValue()),
    );

    fc.assert(
      fc.property(event, fc.nat(), properties, (event, time, properties) => {
        const compiled = parseTemplate(event, defaultTemplate(event));
        if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
        const family = eventFamily(event) ?? 'message';
        const context = { event, time, project_id: 'p', connection_name: 'c', properties };

        expect(compiled.template.render(context)).toBe(
          renderDefaultBody({ family, event, time, properties }),
        );
      }),
    );
  });
});
