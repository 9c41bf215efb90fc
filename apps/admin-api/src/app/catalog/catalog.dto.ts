import {
  AUTH_TYPES,
  CHANNELS,
  MESSAGE_EVENTS,
  SUBSCRIPTION_EVENTS,
  SUBSCRIPTION_SOURCES,
} from '@campaign-webhooks/contracts';
import { ApiProperty } from '@nestjs/swagger';

export class CatalogDto {
  @ApiProperty({ enum: MESSAGE_EVENTS, enumName: 'MessageEvent', isArray: true }) messageEvents!: string[];
  @ApiProperty({ enum: CHANNELS, enumName: 'Channel', isArray: true }) channels!: string[];
  @ApiProperty({ enum: SUBSCRIPTION_EVENTS, enumName: 'SubscriptionEvent', isArray: true })
  subscriptionEvents!: string[];
  @ApiProperty({
    enum: SUBSCRIPTION_SOURCES,
    enumName: 'SubscriptionSource',
    isArray: true,
    description: 'Where a subscription change came from (the `source` of subscription events).',
  })
  sources!: string[];
  @ApiProperty({ enum: AUTH_TYPES, enumName: 'AuthType', isArray: true }) authTypes!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    description:
      'For each event, the placeholder names its templates may use, written {{name}}. `profile.<attribute>` stands for any profile attribute ({{profile.first_name}}, nested with dots: {{profile.address.city}}).',
    example: {
      message_open: [
        'event',
        'time',
        'project_id',
        'connection_name',
        'message_type',
        'campaign_id',
        'profile_id',
        'device_id',
        'trigger_id',
        'error_message',
        'user_id',
        'email',
        'external_message_id',
        'profile.<attribute>',
      ],
    },
  })
  placeholders!: Record<string, string[]>;
}
