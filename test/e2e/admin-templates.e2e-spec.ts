import { defaultTemplate } from '@campaign-webhooks/templating';
import { adminApiUrl, apiKeys, asProject, ConnectionFeed, deleteConnections } from '../support/admin-api';
import { disconnectProducer } from '../support/kafka';

const acme = asProject('acme');

describe('templates', () => {
  let feed: ConnectionFeed;
  let id: string;
  let templates: string;

  beforeAll(async () => {
    feed = await ConnectionFeed.open();
    const connection = await acme('POST', '/v1/connections', {
      body: {
        name: 'templated',
        url: 'http://127.0.0.1:9/hook',
        auth: { type: 'none' },
        messageEvents: ['message_send'],
        channels: ['email'],
        subscriptionEvents: ['message_opt_out'],
      },
    });
    id = connection.body.id;
    templates = `/v1/connections/${id}/templates`;
  });

  afterAll(async () => {
    await deleteConnections('acme', [id]);
    await feed.close();
    await disconnectProducer();
  });

  it('shows the default body, every variable a placeholder, for an event never edited', async () => {
    const message = await acme('GET', `${templates}/message_open`);
    const subscription = await acme('GET', `${templates}/preference_opt_in`);

    expect(message).toMatchObject({
      status: 200,
      body: { event: 'message_open', template: defaultTemplate('message_open'), isDefault: true },
    });
    expect(message.body.template).toEqual({
      event: '{{event}}',
      time: '{{time}}',
      properties: {
        message_type: '{{message_type}}',
        campaign_id: '{{campaign_id}}',
        profile_id: '{{profile_id}}',
        device_id: '{{device_id}}',
        trigger_id: '{{trigger_id}}',
        error_message: '{{error_message}}',
        user_id: '{{user_id}}',
        email: '{{email}}',
        external_message_id: '{{external_message_id}}',
      },
    });
    expect(subscription.body).toEqual({
      event: 'preference_opt_in',
      template: defaultTemplate('preference_opt_in'),
      isDefault: true,
    });
    expect(Object.keys(subscription.body.template.properties)).toEqual([
      'profile_id',
      'user_id',
      'email',
      'channel',
      'preference',
      'source',
    ]);
  });

  it('saves a template given as JSON text, reads it back and publishes it with the connection', async () => {
    const text =
      '{\n  "kind": "{{event}}",\n  "at": "{{time}}",\n  "to": "{{email}}",\n  "name": "{{profile.first_name}}"\n}';

    const put = await acme('PUT', `${templates}/message_send`, { body: { template: text } });

    const value = { kind: '{{event}}', at: '{{time}}', to: '{{email}}', name: '{{profile.first_name}}' };
    expect(put).toMatchObject({
      status: 200,
      body: { event: 'message_send', template: value, isDefault: false },
    });
    expect((await acme('GET', `${templates}/message_send`)).body).toEqual({
      event: 'message_send',
      template: value,
      isDefault: false,
    });
    const connection = (await acme('GET', `/v1/connections/${id}`)).body;
    expect((await feed.snapshot(id, connection.version)).templates).toEqual({ message_send: value });
  });

  it('saves a template given as a JSON value, beside the others', async () => {
    const value = { list: ['{{channel}}', '{{source}}'], who: { id: 'user-{{user_id}}' }, fixed: 1 };

    const put = await acme('PUT', `${templates}/message_opt_out`, { body: { template: value } });

    expect(put).toMatchObject({
      status: 200,
      body: { event: 'message_opt_out', template: value, isDefault: false },
    });
    const connection = (await acme('GET', `/v1/connections/${id}`)).body;
    const snapshot = await feed.snapshot(id, connection.version);
    expect(Object.keys(snapshot.templates).sort()).toEqual(['message_opt_out', 'message_send']);
    expect(snapshot.templates['message_opt_out']).toEqual(value);
  });

  it('keeps every key of a template given as a value, __proto__ and constructor included', async () => {
    const body = '{"template": {"__proto__": {"to": "{{email}}"}, "constructor": "{{event}}", "n": 1}}';

    const put = await acme('PUT', `${templates}/message_dismiss`, { body });

    expect(put.status).toBe(200);
    const read = await fetch(`${adminApiUrl}${templates}/message_dismiss`, {
      headers: { authorization: `Bearer ${apiKeys['acme']}` },
    });
    const text = await read.text();
    expect(text).toBe(
      '{"event":"message_dismiss","template":{"__proto__":{"to":"{{email}}"},"constructor":"{{event}}","n":1},"isDefault":false}',
    );
    await acme('DELETE', `${templates}/message_dismiss`);
  });

  it('gives the line and column of a syntax error in JSON text', async () => {
    const before = (await acme('GET', `/v1/connections/${id}`)).body.version;

    const put = await acme('PUT', `${templates}/message_click`, {
      body: { template: '{\n  "to": "{{email}}",\n  "id" "{{user_id}}"\n}' },
    });

    expect(put.status).toBe(400);
    expect(put.body.errors).toEqual([
      {
        field: 'template',
        code: 'invalid_json',
        line: 3,
        column: 8,
        message: expect.stringMatching(/^Invalid JSON at line 3, column 8: /),
      },
    ]);
    expect((await acme('GET', `${templates}/message_click`)).body.isDefault).toBe(true);
    expect((await acme('GET', `/v1/connections/${id}`)).body.version).toBe(before);
  });

  it('names an unknown placeholder and where it is, in text and in a value', async () => {
    const asText = await acme('PUT', `${templates}/message_click`, {
      body: { template: '{"data": {"contact": "mail: {{ emial }}"}}' },
    });
    const asValue = await acme('PUT', `${templates}/message_opt_in`, {
      body: { template: { list: [{ kind: '{{message_type}}' }] } },
    });

    expect(asText.status).toBe(400);
    expect(asText.body.errors).toEqual([
      {
        field: 'template',
        code: 'unknown_placeholder',
        placeholder: 'emial',
        path: '$.data.contact',
        message: expect.stringContaining('{{emial}}'),
      },
    ]);
    // message_type belongs to message events, not to subscription events
    expect(asValue.status).toBe(400);
    expect(asValue.body.errors).toEqual([
      expect.objectContaining({ field: 'template', placeholder: 'message_type', path: '$.list[0].kind' }),
    ]);
  });

  it.each<[string, unknown, string]>([
    ['a JSON string at the top level', '"{{email}}"', 'not_a_document'],
    ['a number', 42, 'not_a_document'],
    ['a template over 64 KiB', { pad: 'x'.repeat(70_000) }, 'too_large'],
  ])('refuses %s', async (_case, template, code) => {
    const put = await acme('PUT', `${templates}/message_click`, { body: { template } });

    expect(put.status).toBe(400);
    expect(put.body.errors).toEqual([expect.objectContaining({ field: 'template', code })]);
  });

  it('refuses a body without a template, or with other fields', async () => {
    const missing = await acme('PUT', `${templates}/message_click`, { body: {} });
    const extra = await acme('PUT', `${templates}/message_click`, {
      body: { template: { a: 1 }, isDefault: false },
    });

    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((error: { field: string }) => error.field)).toEqual(['template']);
    expect(extra.status).toBe(400);
    expect(extra.body.errors.map((error: { field: string }) => error.field)).toEqual(['isDefault']);
  });

  it('answers 404 naming an event the catalog does not know, on every method', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { template: { a: 1 } }],
      ['DELETE', undefined],
    ] as const) {
      const response = await acme(method, `${templates}/message_bounce`, { body });
      expect({ method, status: response.status }).toEqual({ method, status: 404 });
      expect(response.body.message).toMatch(
        /^unknown event "message_bounce"; templates exist for message_send, /,
      );
    }
  });

  it('resets an event to the default body', async () => {
    const reset = await acme('DELETE', `${templates}/message_send`);

    expect(reset.status).toBe(204);
    expect((await acme('GET', `${templates}/message_send`)).body).toEqual({
      event: 'message_send',
      template: defaultTemplate('message_send'),
      isDefault: true,
    });
    const connection = (await acme('GET', `/v1/connections/${id}`)).body;
    expect(Object.keys((await feed.snapshot(id, connection.version)).templates)).toEqual(['message_opt_out']);

    // Resetting again is not an error, and changes nothing.
    expect((await acme('DELETE', `${templates}/message_send`)).status).toBe(204);
    expect((await acme('GET', `/v1/connections/${id}`)).body.version).toBe(connection.version);
  });
});
