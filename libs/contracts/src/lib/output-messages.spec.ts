import { outcomeSchema, skippedOutcome } from './output-messages';

describe('skippedOutcome', () => {
  it('is a valid outcome record with attempt 0 and the reason in error', () => {
    const outcome = skippedOutcome(
      { delivery_id: 'd-1', connection_id: 'c-1', project_id: 'acme', event: 'message_open' },
      'external_message_id_missing',
      new Date('2026-11-27T00:00:00Z'),
    );
    expect(outcomeSchema.parse(outcome)).toEqual({
      delivery_id: 'd-1',
      connection_id: 'c-1',
      project_id: 'acme',
      event: 'message_open',
      attempt: 0,
      status: 'skipped',
      http_status: null,
      duration_ms: null,
      error: 'external_message_id_missing',
      next_attempt_at: null,
      time: '2026-11-27T00:00:00.000Z',
    });
  });
});
