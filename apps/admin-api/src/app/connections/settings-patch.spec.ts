import { applySettingsPatch } from './settings-patch';

function stored() {
  return {
    name: 'CRM sync',
    url: 'https://hooks.example.com/xp',
    messageEvents: ['message_send', 'message_open'],
    channels: ['email'],
    subscriptionEvents: [] as string[],
    excludeIntegrationSources: false,
    requireExternalMessageId: false,
    useStaticIp: false,
    notifyOnErrorEmail: 'ops@example.com' as string | null,
    active: true,
  };
}

describe('applySettingsPatch', () => {
  it('sets the settings given and keeps the others', () => {
    const connection = stored();

    const changed = applySettingsPatch(connection, { channels: ['sms', 'push'], useStaticIp: true });

    expect(changed).toBe(true);
    expect(connection).toEqual({ ...stored(), channels: ['sms', 'push'], useStaticIp: true });
  });

  it('clears notifyOnErrorEmail given as null', () => {
    const connection = stored();

    expect(applySettingsPatch(connection, { notifyOnErrorEmail: null })).toBe(true);
    expect(connection.notifyOnErrorEmail).toBeNull();
  });

  it('answers false when every value given is the stored one', () => {
    const connection = stored();

    expect(applySettingsPatch(connection, {})).toBe(false);
    expect(
      applySettingsPatch(connection, { name: 'CRM sync', messageEvents: ['message_send', 'message_open'] }),
    ).toBe(false);
    expect(connection).toEqual(stored());
  });

  it('counts a new order of events as a change', () => {
    const connection = stored();

    expect(applySettingsPatch(connection, { messageEvents: ['message_open', 'message_send'] })).toBe(true);
  });
});
