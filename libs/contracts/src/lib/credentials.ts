import { z } from 'zod';

/**
 * A connection's auth settings as sealed (AES-256-GCM) in the database and on the change feed:
 * every field of its type, secrets included. Only admin-api and delivery ever open them.
 */
export const credentialsSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('basic'), username: z.string(), password: z.string() }),
  z.object({ type: z.literal('bearer'), token: z.string() }),
  z.object({
    type: z.literal('signed'),
    /** `whsec_<base64>` */
    secret: z.string(),
    /** After a rotation, the former secret keeps signing beside the new one until it expires. */
    previousSecret: z.string().optional(),
    previousSecretExpiresAt: z.string().optional(),
  }),
  z.object({
    type: z.literal('oauth2'),
    tokenUrl: z.string(),
    clientId: z.string(),
    clientSecret: z.string(),
    scope: z.string().optional(),
    audience: z.string().optional(),
  }),
]);
export type Credentials = z.infer<typeof credentialsSchema>;

/**
 * What a connection's credentials are sealed for: a sealed value opens only with the project and
 * connection it was written for.
 */
export function credentialsContext(projectId: string, connectionId: string): string {
  return `connection:${projectId}:${connectionId}`;
}
