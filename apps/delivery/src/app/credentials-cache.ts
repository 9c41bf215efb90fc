import { credentialsSchema, type ConnectionSnapshot, type Credentials } from '@campaign-webhooks/contracts';
import type { SecretBox } from '@campaign-webhooks/secrets';

const none: Credentials = { type: 'none' };

/** Opens each connection's sealed credentials once per version, not once per delivery. */
export class CredentialsCache {
  private readonly opened = new Map<string, { version: number; credentials: Credentials }>();

  constructor(private readonly secrets: SecretBox) {}

  for(connection: ConnectionSnapshot): Credentials {
    if (connection.credentials === null) return none;
    const cached = this.opened.get(connection.id);
    if (cached && cached.version === connection.version) return cached.credentials;
    const credentials = credentialsSchema.parse(this.secrets.openJson(connection.credentials));
    this.opened.set(connection.id, { version: connection.version, credentials });
    return credentials;
  }
}
