import { eventLabel } from './catalog';

describe('eventLabel', () => {
  it('keeps the events this release knows, and calls any other text other', () => {
    expect(eventLabel('message_open')).toBe('message_open');
    expect(eventLabel('preference_opt_out')).toBe('preference_opt_out');
    expect(eventLabel('message_opened_v2')).toBe('other');
    expect(eventLabel('a'.repeat(1000))).toBe('other');
  });
});
