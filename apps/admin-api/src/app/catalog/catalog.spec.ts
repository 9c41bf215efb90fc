import {
  CHANNELS,
  MESSAGE_EVENTS,
  SUBSCRIPTION_EVENTS,
  SUBSCRIPTION_SOURCES,
} from '@campaign-webhooks/contracts';
import { parseTemplate } from '@campaign-webhooks/templating';
import { catalog } from './catalog';

describe('catalog', () => {
  const answer = catalog();

  it('lists the events, channels and sources of the contract', () => {
    expect(answer.messageEvents).toEqual([...MESSAGE_EVENTS]);
    expect(answer.channels).toEqual([...CHANNELS]);
    expect(answer.subscriptionEvents).toEqual([...SUBSCRIPTION_EVENTS]);
    expect(answer.sources).toEqual([...SUBSCRIPTION_SOURCES]);
    expect(answer.authTypes).toEqual(['none', 'basic', 'bearer', 'signed', 'oauth2']);
  });

  it('gives every event its placeholders, the profile attribute form last', () => {
    expect(Object.keys(answer.placeholders)).toEqual([...MESSAGE_EVENTS, ...SUBSCRIPTION_EVENTS]);
    expect(answer.placeholders['message_click']).toEqual([
      'event',
      'time',
      'project_id',
      'connection_name',
      'message_type',
      'campaign_id',
      'profile_id',
      'device_id',
      'trigger_id',
      'error_message',
      'user_id',
      'email',
      'external_message_id',
      'profile.<attribute>',
    ]);
    expect(answer.placeholders['preference_opt_in']).toEqual([
      'event',
      'time',
      'project_id',
      'connection_name',
      'profile_id',
      'user_id',
      'email',
      'channel',
      'preference',
      'source',
      'profile.<attribute>',
    ]);
  });

  it('lists exactly what templates accept', () => {
    for (const [event, names] of Object.entries(answer.placeholders)) {
      const template = Object.fromEntries(
        names.map((name) => [name, `{{${name.replace('<attribute>', 'first_name')}}}`]),
      );
      expect(parseTemplate(event, template).ok).toBe(true);
    }
  });
});
