import {
  credentialsContext,
  credentialsSchema,
  type ConnectionSnapshot,
  type Credentials,
} from '@campaign-webhooks/contracts';
import type { SecretBox } from '@campaign-webhooks/secrets';

const none: Credentials = { type: 'none' };

/**
 * Opens each connection's sealed credentials once, not once per delivery. Keyed by what is sealed
 * rather than the connection's version: a change the database rolled back is corrected on the
 * feed at the same version.
 */
export class CredentialsCache {
  private readonly opened = new Map<string, { sealed: string; credentials: Credentials }>();

  constructor(private readonly secrets: SecretBox) {}

  for(connection: ConnectionSnapshot): Credentials {
    const sealed = connection.credentials;
    if (sealed === null) return none;
    const cached = this.opened.get(connection.id);
    if (cached?.sealed === sealed) return cached.credentials;
    const credentials = credentialsSchema.parse(
      this.secrets.openJson(sealed, credentialsContext(connection.project_id, connection.id)),
    );
    this.opened.set(connection.id, { sealed, credentials });
    return credentials;
  }
}
