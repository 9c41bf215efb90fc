import { z } from 'zod';

/** Records the campaign platform publishes (CONTRACT.md §2). */

const optionalText = z.string().nullish();

/** `event` stays a free string: the platform may add events before this system knows them. */
const envelope = {
  event: z.string().min(1),
  time: z.number().int().nonnegative(),
  project_id: z.string().min(1),
};

export const messageEventSchema = z.object({
  ...envelope,
  properties: z.looseObject({
    message_type: z.string().min(1),
    campaign_id: optionalText,
    profile_id: optionalText,
    device_id: optionalText,
    trigger_id: optionalText,
    error_message: optionalText,
    user_id: optionalText,
    email: optionalText,
    external_message_id: optionalText,
  }),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

export const subscriptionEventSchema = z.object({
  ...envelope,
  properties: z.looseObject({
    profile_id: optionalText,
    user_id: optionalText,
    email: optionalText,
    channel: optionalText,
    preference: optionalText,
    source: optionalText,
    integration_id: optionalText,
  }),
});
export type SubscriptionEvent = z.infer<typeof subscriptionEventSchema>;

export const profileRecordSchema = z.object({
  project_id: z.string().min(1),
  profile_id: z.string().min(1),
  attributes: z.record(z.string(), z.unknown()),
  updated_at: z.number().int().nonnegative(),
});
export type ProfileRecord = z.infer<typeof profileRecordSchema>;
