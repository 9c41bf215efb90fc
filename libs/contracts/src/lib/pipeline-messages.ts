import { z } from 'zod';

/**
 * Records the services pass to each other. Keys are the connection id, so one connection's
 * deliveries stay in order on one partition.
 */

/** subscription-filter -> renderer: one event matched to one connection. */
export const matchedEventSchema = z.object({
  delivery_id: z.string().min(1),
  connection_id: z.string().min(1),
  project_id: z.string().min(1),
  family: z.enum(['message', 'subscription']),
  event: z.string().min(1),
  time: z.number().int(),
  properties: z.record(z.string(), z.unknown()),
});
export type MatchedEvent = z.infer<typeof matchedEventSchema>;

/**
 * renderer -> delivery, and delivery -> delivery through the retry topic. The value is the exact
 * request body; everything else travels in headers, so delivery sends the bytes it consumed.
 */
export const DELIVERY_HEADERS = {
  deliveryId: 'delivery-id',
  connectionId: 'connection-id',
  projectId: 'project-id',
  event: 'event',
  attempt: 'attempt',
  /** Retry topic only: when the attempt is due, in epoch milliseconds. */
  dueAt: 'due-at',
  /** Retry topic only: when the first failure of the current failing streak happened. */
  failingSince: 'failing-since',
} as const;

export const deliveryHeadersSchema = z.object({
  [DELIVERY_HEADERS.deliveryId]: z.string().min(1),
  [DELIVERY_HEADERS.connectionId]: z.string().min(1),
  [DELIVERY_HEADERS.projectId]: z.string().min(1),
  [DELIVERY_HEADERS.event]: z.string().min(1),
  [DELIVERY_HEADERS.attempt]: z.coerce.number().int().positive().default(1),
  [DELIVERY_HEADERS.dueAt]: z.coerce.number().int().nonnegative().optional(),
  [DELIVERY_HEADERS.failingSince]: z.coerce.number().int().nonnegative().optional(),
});
export type DeliveryHeaders = z.infer<typeof deliveryHeadersSchema>;

/**
 * Headers on `webhooks.outcomes` besides the contract's JSON value: the outcomes of a delivery's
 * first attempt carry its request body, which the delivery log keeps for resends.
 */
export const OUTCOME_HEADERS = {
  requestBody: 'request-body',
} as const;

export interface DeliveryRequest {
  deliveryId: string;
  connectionId: string;
  projectId: string;
  event: string;
  attempt: number;
  dueAt?: number;
  body: Buffer;
}
