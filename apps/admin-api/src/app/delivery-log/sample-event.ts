import { isMessageEvent, type Channel } from '@campaign-webhooks/contracts';

/** A made-up event of the given type, for test sends: every property filled in. */
export function sampleEvent(event: string, channel: Channel | undefined, now = new Date()) {
  const time = Math.floor(now.getTime() / 1000);
  if (isMessageEvent(event)) {
    return {
      family: 'message' as const,
      event,
      time,
      properties: {
        message_type: channel ?? 'email',
        campaign_id: 'sample-campaign',
        profile_id: 'sample-profile',
        device_id:
          channel === 'push' || channel === 'web_push' || channel === 'inapp' ? 'sample-device' : null,
        trigger_id: 'sample-trigger',
        error_message: event === 'message_failure' ? 'sample error' : null,
        user_id: 'sample-user',
        email: 'sample@example.com',
        external_message_id: 'sample-external-id',
      },
    };
  }
  return {
    family: 'subscription' as const,
    event,
    time,
    properties: {
      profile_id: 'sample-profile',
      user_id: 'sample-user',
      email: 'sample@example.com',
      channel: event.startsWith('message_') ? (channel ?? 'email') : null,
      preference: event.startsWith('preference_') ? 'sample-preference' : null,
      source: 'ui',
    },
  };
}
