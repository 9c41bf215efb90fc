import {
  AUTH_TYPES,
  CHANNELS,
  MESSAGE_EVENTS,
  SUBSCRIPTION_EVENTS,
  type AuthType,
} from '@campaign-webhooks/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A connection's auth as readers see it: the type, its non-secret fields, and which secrets are set. */
export class AuthViewDto {
  @ApiProperty({ enum: AUTH_TYPES, enumName: 'AuthType' }) type!: AuthType;
  @ApiPropertyOptional({ description: 'basic' }) username?: string;
  @ApiPropertyOptional({ description: 'basic: whether a password is stored.' }) passwordSet?: boolean;
  @ApiPropertyOptional({ description: 'bearer: whether a token is stored.' }) tokenSet?: boolean;
  @ApiPropertyOptional({ description: 'oauth2' }) tokenUrl?: string;
  @ApiPropertyOptional({ description: 'oauth2' }) clientId?: string;
  @ApiPropertyOptional({ description: 'oauth2: whether a client secret is stored.' })
  clientSecretSet?: boolean;
  @ApiPropertyOptional({ description: 'oauth2' }) scope?: string;
  @ApiPropertyOptional({ description: 'oauth2' }) audience?: string;
  @ApiPropertyOptional({ description: 'signed: whether a signing secret is stored.' }) secretSet?: boolean;
  @ApiPropertyOptional({
    description:
      'signed: after a rotation, until when the former secret keeps signing beside the current one (ISO 8601).',
  })
  previousSecretExpiresAt?: string;
  @ApiPropertyOptional({
    description:
      'signed: the whsec_ signing secret, only in the response that generated it (create, a PATCH to signed, rotate).',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret?: string;
}

export class ConnectionViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: AuthViewDto }) auth!: AuthViewDto;
  @ApiProperty({ enum: MESSAGE_EVENTS, enumName: 'MessageEvent', isArray: true }) messageEvents!: string[];
  @ApiProperty({ enum: CHANNELS, enumName: 'Channel', isArray: true }) channels!: string[];
  @ApiProperty({ enum: SUBSCRIPTION_EVENTS, enumName: 'SubscriptionEvent', isArray: true })
  subscriptionEvents!: string[];
  @ApiProperty() excludeIntegrationSources!: boolean;
  @ApiProperty() requireExternalMessageId!: boolean;
  @ApiProperty() useStaticIp!: boolean;
  @ApiProperty({ nullable: true, type: String }) notifyOnErrorEmail!: string | null;
  @ApiProperty() active!: boolean;
  @ApiProperty({
    description: 'Increases with every change; send it back as If-Match to update only this version.',
  })
  version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ConnectionListDto {
  @ApiProperty({ type: ConnectionViewDto, isArray: true }) items!: ConnectionViewDto[];
}
