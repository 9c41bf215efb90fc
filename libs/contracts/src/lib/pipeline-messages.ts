import { z } from 'zod';

/**
 * Records the services pass to each other. Keys are the connection id, so one connection's
 * deliveries stay in order on one partition.
 */

/** subscription-filter -> renderer: one event matched to one connection. */
export const matchedEventSchema = z.object({
  delivery_id: z.string().min(1),
  connection_id: z.string().min(1),
  /** The connection's version the filter matched against; a later stage's copy must be as new. */
  connection_version: z.number().int().nonnegative().optional(),
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
  /** The connection's version the filter matched against. */
  connectionVersion: 'connection-version',
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
  [DELIVERY_HEADERS.connectionVersion]: z.coerce.number().int().nonnegative().optional(),
  [DELIVERY_HEADERS.projectId]: z.string().min(1),
  [DELIVERY_HEADERS.event]: z.string().min(1),
  [DELIVERY_HEADERS.attempt]: z.coerce.number().int().positive().default(1),
  [DELIVERY_HEADERS.dueAt]: z.coerce.number().int().nonnegative().optional(),
  [DELIVERY_HEADERS.failingSince]: z.coerce.number().int().nonnegative().optional(),
});
export type DeliveryHeaders = z.infer<typeof deliveryHeadersSchema>;

const positiveIntegerText = /^[1-9][0-9]{0,14}$/;
const nonNegativeIntegerText = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * `deliveryHeadersSchema.safeParse`, with the headers as the renderer and delivery write them
 * read directly: delivery checks every record it consumes, and zod copies each object it parses.
 * Anything else, malformed or merely written another way (`attempt: "01"`), goes to the schema,
 * which also says what is wrong.
 */
export function parseDeliveryHeaders(headers: Record<string, string>): z.ZodSafeParseResult<DeliveryHeaders> {
  const written = readWrittenDeliveryHeaders(headers);
  return written ? { success: true, data: written } : deliveryHeadersSchema.safeParse(headers);
}

function readWrittenDeliveryHeaders(headers: Record<string, string>): DeliveryHeaders | undefined {
  const deliveryId = headers[DELIVERY_HEADERS.deliveryId];
  const connectionId = headers[DELIVERY_HEADERS.connectionId];
  const connectionVersion = headers[DELIVERY_HEADERS.connectionVersion];
  const projectId = headers[DELIVERY_HEADERS.projectId];
  const event = headers[DELIVERY_HEADERS.event];
  const attempt = headers[DELIVERY_HEADERS.attempt];
  const dueAt = headers[DELIVERY_HEADERS.dueAt];
  const failingSince = headers[DELIVERY_HEADERS.failingSince];
  if (!isText(deliveryId) || !isText(connectionId) || !isText(projectId) || !isText(event)) return undefined;
  if (attempt !== undefined && !(typeof attempt === 'string' && positiveIntegerText.test(attempt)))
    return undefined;
  if (
    !isAbsentOr(connectionVersion, nonNegativeIntegerText) ||
    !isAbsentOr(dueAt, nonNegativeIntegerText) ||
    !isAbsentOr(failingSince, nonNegativeIntegerText)
  )
    return undefined;
  const parsed: DeliveryHeaders = {
    [DELIVERY_HEADERS.deliveryId]: deliveryId,
    [DELIVERY_HEADERS.connectionId]: connectionId,
    [DELIVERY_HEADERS.projectId]: projectId,
    [DELIVERY_HEADERS.event]: event,
    [DELIVERY_HEADERS.attempt]: attempt === undefined ? 1 : Number(attempt),
  };
  if (connectionVersion !== undefined) parsed[DELIVERY_HEADERS.connectionVersion] = Number(connectionVersion);
  if (dueAt !== undefined) parsed[DELIVERY_HEADERS.dueAt] = Number(dueAt);
  if (failingSince !== undefined) parsed[DELIVERY_HEADERS.failingSince] = Number(failingSince);
  return parsed;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isAbsentOr(value: unknown, pattern: RegExp): boolean {
  return value === undefined || (typeof value === 'string' && pattern.test(value));
}

/**
 * Headers on `webhooks.outcomes` besides the contract's JSON value: the outcomes of a delivery's
 * first attempt carry its request body, which the delivery log keeps for resends.
 */
export const OUTCOME_HEADERS = {
  requestBody: 'request-body',
  /** `true` on the outcome of a test send from the admin API. */
  testSend: 'test-send',
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
