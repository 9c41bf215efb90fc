import { randomBytes } from 'node:crypto';
import { connectionSnapshot, credentialsContext } from '@campaign-webhooks/contracts';
import { SecretBox } from '@campaign-webhooks/secrets';
import { CredentialsCache } from './credentials-cache';

describe('CredentialsCache', () => {
  const secrets = new SecretBox(randomBytes(32));
  // connectionSnapshot's project and id
  const bearer = (token: string) =>
    secrets.sealJson({ type: 'bearer', token }, credentialsContext('acme', 'c-1'));

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

  it("refuses credentials sealed for another connection, copied into this one's row", () => {
    const cache = new CredentialsCache(secrets);
    const other = connectionSnapshot({ id: 'c-2', auth_type: 'bearer', credentials: bearer('t-1') });

    expect(() => cache.for(other)).toThrow(/another context/);
  });
});
