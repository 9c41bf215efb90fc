import { randomBytes } from 'node:crypto';
import { connectionSnapshot } from '@campaign-webhooks/contracts';
import { SecretBox } from '@campaign-webhooks/secrets';
import { CredentialsCache } from './credentials-cache';

describe('CredentialsCache', () => {
  const secrets = new SecretBox(randomBytes(32));
  const bearer = (token: string) => secrets.sealJson({ type: 'bearer', token });

  it('opens sealed credentials once while they stay the same', () => {
    const cache = new CredentialsCache(secrets);
    const open = jest.spyOn(secrets, 'openJson');
    const connection = connectionSnapshot({ auth_type: 'bearer', credentials: bearer('t-1') });

    expect(cache.for(connection)).toEqual({ type: 'bearer', token: 't-1' });
    expect(cache.for({ ...connection })).toEqual({ type: 'bearer', token: 't-1' });
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('takes the credentials of a correction published at the same version', () => {
    // A change the database rolled back reached the feed as version 6, then the committed row did.
    const cache = new CredentialsCache(secrets);
    const rolledBack = connectionSnapshot({ version: 6, auth_type: 'bearer', credentials: bearer('t-2') });
    const committed = connectionSnapshot({ version: 6, auth_type: 'bearer', credentials: bearer('t-1') });

    expect(cache.for(rolledBack)).toEqual({ type: 'bearer', token: 't-2' });
    expect(cache.for(committed)).toEqual({ type: 'bearer', token: 't-1' });
  });
});
