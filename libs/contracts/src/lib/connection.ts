import { z } from 'zod';
import { CHANNELS, MESSAGE_EVENTS, SUBSCRIPTION_EVENTS } from './catalog';

/**
 * A connection as the admin API publishes it on the compacted connections topic, keyed by id; a
 * tombstone (null value) means deleted. Credentials travel only as AES-256-GCM ciphertext.
 */
export const AUTH_TYPES = ['none', 'basic', 'bearer', 'signed', 'oauth2'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const connectionSnapshotSchema = z.object({
  id: z.string().min(1),
  project_id: z.string().min(1),
  name: z.string(),
  url: z.string().min(1),
  auth_type: z.enum(AUTH_TYPES),
  /** Encrypted JSON of the type's secret fields; null for `none`. */
  credentials: z.string().nullable(),
  message_events: z.array(z.enum(MESSAGE_EVENTS)),
  channels: z.array(z.enum(CHANNELS)),
  subscription_events: z.array(z.enum(SUBSCRIPTION_EVENTS)),
  exclude_integration_sources: z.boolean(),
  require_external_message_id: z.boolean(),
  use_static_ip: z.boolean(),
  notify_on_error_email: z.string().nullable(),
  active: z.boolean(),
  /** Custom templates by event; an event absent here renders its default body. */
  templates: z.record(z.string(), z.unknown()),
  version: z.number().int().nonnegative(),
  updated_at: z.string(),
});
export type ConnectionSnapshot = z.infer<typeof connectionSnapshotSchema>;
