import {
  connectionSnapshot,
  type ConnectionSnapshot,
  type MessageEvent,
  type SubscriptionEvent,
} from '@campaign-webhooks/contracts';
import { matchMessageEvent, matchSubscriptionEvent } from './matching-rules';

function connection(overrides: Partial<ConnectionSnapshot> = {}): ConnectionSnapshot {
  return connectionSnapshot({
    message_events: ['message_send', 'message_open'],
    channels: ['email', 'sms'],
    subscription_events: ['message_opt_out'],
    ...overrides,
  });
}

function messageEvent(
  overrides: Partial<MessageEvent> = {},
  properties: Partial<MessageEvent['properties']> = {},
) {
  return {
    event: 'message_open',
    time: 1764201600,
    project_id: 'acme',
    ...overrides,
    properties: { message_type: 'email', external_message_id: 'ext-7', ...properties },
  } as MessageEvent;
}

function subscriptionEvent(overrides: Partial<SubscriptionEvent> = {}, source = 'ui'): SubscriptionEvent {
  return {
    event: 'message_opt_out',
    time: 1764201600,
    project_id: 'acme',
    properties: { source },
    ...overrides,
  };
}

describe('matchMessageEvent', () => {
  it('matches the selected event and channel of the same project', () => {
    expect(matchMessageEvent(connection(), messageEvent())).toEqual({ kind: 'match' });
  });

  it.each([
    ['another project', connection(), messageEvent({ project_id: 'globex' })],
    ['an event not selected', connection(), messageEvent({ event: 'message_click' })],
    ['a channel not selected', connection(), messageEvent({}, { message_type: 'push' })],
    ['an inactive connection', connection({ active: false }), messageEvent()],
  ])('does not match %s', (_case, subject, event) => {
    expect(matchMessageEvent(subject, event)).toEqual({ kind: 'no-match' });
  });

  it('skips with a reason when external_message_id is required and absent', () => {
    const subject = connection({ require_external_message_id: true });
    expect(matchMessageEvent(subject, messageEvent({}, { external_message_id: null }))).toEqual({
      kind: 'skip',
      reason: 'external_message_id_missing',
    });
    expect(matchMessageEvent(subject, messageEvent())).toEqual({ kind: 'match' });
  });
});

describe('matchSubscriptionEvent', () => {
  it('matches a selected subscription event', () => {
    expect(matchSubscriptionEvent(connection(), subscriptionEvent())).toEqual({ kind: 'match' });
  });

  it('does not match an unselected one', () => {
    expect(matchSubscriptionEvent(connection(), subscriptionEvent({ event: 'message_opt_in' }))).toEqual({
      kind: 'no-match',
    });
  });

  it('leaves out changes made by integrations only when asked to', () => {
    const fromIntegration = subscriptionEvent({}, 'integration');
    expect(matchSubscriptionEvent(connection(), fromIntegration)).toEqual({ kind: 'match' });
    expect(
      matchSubscriptionEvent(connection({ exclude_integration_sources: true }), fromIntegration),
    ).toEqual({
      kind: 'no-match',
    });
  });
});
