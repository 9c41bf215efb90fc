import { randomUUID } from 'node:crypto';
import { asProject, ConnectionFeed, deleteConnections } from '../support/admin-api';
import { disconnectProducer } from '../support/kafka';

const acme = asProject('acme');

/** Per auth type: the settings to create with, a PATCH of its auth, and what the feed must then carry. */
function authCases() {
  const unique = randomUUID();
  return [
    {
      type: 'none',
      auth: { type: 'none' },
      view: { type: 'none' },
      patch: { type: 'none' },
      patchChanges: false,
      credentialsAfterPatch: { type: 'none' },
    },
    {
      type: 'basic',
      auth: { type: 'basic', username: 'crm', password: `basic-pw-${unique}` },
      view: { type: 'basic', username: 'crm', passwordSet: true },
      // A new username alone: the stored password stays.
      patch: { type: 'basic', username: 'crm-2' },
      patchChanges: true,
      credentialsAfterPatch: { type: 'basic', username: 'crm-2', password: `basic-pw-${unique}` },
    },
    {
      type: 'bearer',
      auth: { type: 'bearer', token: `bearer-token-${unique}` },
      view: { type: 'bearer', tokenSet: true },
      patch: { type: 'bearer', token: `bearer-token-2-${unique}` },
      patchChanges: true,
      credentialsAfterPatch: { type: 'bearer', token: `bearer-token-2-${unique}` },
    },
    {
      type: 'signed',
      auth: { type: 'signed' },
      view: { type: 'signed', secretSet: true },
      patch: { type: 'signed' },
      patchChanges: false,
      credentialsAfterPatch: undefined,
    },
    {
      type: 'oauth2',
      auth: {
        type: 'oauth2',
        tokenUrl: 'http://127.0.0.1:9/token',
        clientId: 'client-1',
        clientSecret: `client-secret-${unique}`,
        scope: 'hooks',
      },
      view: {
        type: 'oauth2',
        tokenUrl: 'http://127.0.0.1:9/token',
        clientId: 'client-1',
        clientSecretSet: true,
        scope: 'hooks',
      },
      // New client id and audience, scope cleared: the stored client secret stays.
      patch: { type: 'oauth2', clientId: 'client-2', audience: 'api', scope: null },
      patchChanges: true,
      credentialsAfterPatch: {
        type: 'oauth2',
        tokenUrl: 'http://127.0.0.1:9/token',
        clientId: 'client-2',
        clientSecret: `client-secret-${unique}`,
        audience: 'api',
      },
    },
  ];
}

describe('a connection from create to delete', () => {
  let feed: ConnectionFeed;
  const created: string[] = [];

  beforeAll(async () => {
    feed = await ConnectionFeed.open();
  });

  afterAll(async () => {
    await deleteConnections('acme', created);
    await feed.close();
    await disconnectProducer();
  });

  it.each(authCases())('works for auth type $type', async (auth) => {
    // Create
    const settings = {
      name: `life cycle ${auth.type}`,
      url: 'http://127.0.0.1:9/hook',
      messageEvents: ['message_send', 'message_open'],
      channels: ['email', 'sms'],
      subscriptionEvents: ['message_opt_out'],
      excludeIntegrationSources: true,
      notifyOnErrorEmail: 'ops@example.com',
    };
    const create = await acme('POST', '/v1/connections', { body: { ...settings, auth: auth.auth } });
    expect(create.status).toBe(201);
    const id: string = create.body.id;
    created.push(id);
    expect(create.body).toMatchObject({
      ...settings,
      requireExternalMessageId: false,
      useStaticIp: false,
      active: true,
      version: 1,
    });
    if (auth.type === 'signed') {
      expect(create.body.auth).toEqual({
        ...auth.view,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
      expect(feed.credentials(await feed.snapshot(id, 1))).toEqual({
        type: 'signed',
        secret: create.body.auth.secret,
      });
    } else {
      expect(create.body.auth).toEqual(auth.view);
      expect(feed.credentials(await feed.snapshot(id, 1))).toEqual(JSON.parse(JSON.stringify(auth.auth)));
    }

    // Read and list
    const read = await acme('GET', `/v1/connections/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...create.body, auth: auth.view });
    const list = await acme('GET', '/v1/connections');
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(read.body);

    // Update settings: each change is a new version, on the feed too
    const update = await acme('PATCH', `/v1/connections/${id}`, {
      body: { name: `renamed ${auth.type}`, channels: ['push'], notifyOnErrorEmail: null, useStaticIp: true },
    });
    expect(update.status).toBe(200);
    expect(update.body).toEqual({
      ...read.body,
      name: `renamed ${auth.type}`,
      channels: ['push'],
      notifyOnErrorEmail: null,
      useStaticIp: true,
      version: 2,
      updatedAt: expect.any(String),
    });
    expect(Date.parse(update.body.updatedAt)).toBeGreaterThan(Date.parse(read.body.updatedAt));
    expect(await acme('GET', `/v1/connections/${id}`)).toMatchObject({ status: 200, body: update.body });
    expect(await feed.snapshot(id, 2)).toMatchObject({
      name: `renamed ${auth.type}`,
      channels: ['push'],
      notify_on_error_email: null,
      use_static_ip: true,
    });

    // Update auth: omitted secrets keep their stored value
    const authUpdate = await acme('PATCH', `/v1/connections/${id}`, { body: { auth: auth.patch } });
    expect(authUpdate.status).toBe(200);
    expect(JSON.stringify(authUpdate.body)).not.toMatch(/pw-|token-|client-secret-|whsec_/);
    let version = 2;
    if (auth.patchChanges) {
      version += 1;
      expect(authUpdate.body.version).toBe(version);
      expect(feed.credentials(await feed.snapshot(id, version))).toEqual(auth.credentialsAfterPatch);
    } else {
      expect(authUpdate.body).toEqual(update.body);
    }

    // Deactivate and activate; repeating one changes nothing
    const deactivate = await acme('POST', `/v1/connections/${id}/deactivate`);
    expect(deactivate.status).toBe(200);
    expect(deactivate.body).toMatchObject({ id, active: false, version: version + 1 });
    expect((await feed.snapshot(id, version + 1)).active).toBe(false);
    const again = await acme('POST', `/v1/connections/${id}/deactivate`);
    expect(again.body).toMatchObject({ active: false, version: version + 1 });
    const activate = await acme('POST', `/v1/connections/${id}/activate`);
    expect(activate.status).toBe(200);
    expect(activate.body).toMatchObject({ id, active: true, version: version + 2 });
    expect((await feed.snapshot(id, version + 2)).active).toBe(true);

    // Delete: gone from the API, a tombstone on the feed
    const remove = await acme('DELETE', `/v1/connections/${id}`);
    expect(remove.status).toBe(204);
    expect(remove.body).toBeUndefined();
    await feed.tombstone(id);
    expect((await acme('GET', `/v1/connections/${id}`)).status).toBe(404);
    expect((await acme('DELETE', `/v1/connections/${id}`)).status).toBe(404);
    expect(
      (await acme('GET', '/v1/connections')).body.items.map((item: { id: string }) => item.id),
    ).not.toContain(id);
  });

  it('changes the auth type: the new type replaces the old, and a change to signed shows its secret once', async () => {
    const connection = await acme('POST', '/v1/connections', {
      body: {
        name: 'type change',
        url: 'http://127.0.0.1:9/hook',
        auth: { type: 'basic', username: 'crm', password: 'type-change-pw' },
        messageEvents: ['message_send'],
        channels: ['email'],
      },
    });
    created.push(connection.body.id);
    const path = `/v1/connections/${connection.body.id}`;

    const toBearer = await acme('PATCH', path, {
      body: { auth: { type: 'bearer', token: 'type-change-token' } },
    });
    expect(toBearer.body.auth).toEqual({ type: 'bearer', tokenSet: true });
    expect(feed.credentials(await feed.snapshot(connection.body.id, 2))).toEqual({
      type: 'bearer',
      token: 'type-change-token',
    });

    const toSigned = await acme('PATCH', path, { body: { auth: { type: 'signed' } } });
    expect(toSigned.status).toBe(200);
    expect(toSigned.body.auth).toEqual({
      type: 'signed',
      secretSet: true,
      secret: expect.stringMatching(/^whsec_/),
    });
    expect(feed.credentials(await feed.snapshot(connection.body.id, 3))).toEqual({
      type: 'signed',
      secret: toSigned.body.auth.secret,
    });
    expect((await acme('GET', path)).body.auth).toEqual({ type: 'signed', secretSet: true });

    const toNone = await acme('PATCH', path, { body: { auth: { type: 'none' } } });
    expect(toNone.body.auth).toEqual({ type: 'none' });
    const snapshot = await feed.snapshot(connection.body.id, 4);
    expect(snapshot).toMatchObject({ auth_type: 'none', credentials: null });
  });

  it('leaves the version alone when a PATCH changes nothing', async () => {
    const connection = await acme('POST', '/v1/connections', {
      body: {
        name: 'steady',
        url: 'http://127.0.0.1:9/hook',
        auth: { type: 'none' },
        messageEvents: [],
        channels: [],
      },
    });
    created.push(connection.body.id);

    const same = await acme('PATCH', `/v1/connections/${connection.body.id}`, {
      body: { name: 'steady', messageEvents: [], active: true },
    });
    const empty = await acme('PATCH', `/v1/connections/${connection.body.id}`, { body: {} });

    expect(same).toMatchObject({ status: 200, body: connection.body });
    expect(empty).toMatchObject({ status: 200, body: connection.body });
    // A real change next: once it is on the feed, anything the two above had published would be before it.
    const change = await acme('PATCH', `/v1/connections/${connection.body.id}`, { body: { name: 'moved' } });
    expect(change.body.version).toBe(2);
    await feed.snapshot(connection.body.id, 2);
    expect(feed.snapshots(connection.body.id).map((snapshot) => [snapshot.version, snapshot.name])).toEqual([
      [1, 'steady'],
      [2, 'moved'],
    ]);
  });
});
