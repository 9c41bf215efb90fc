import {
  AUTH_TYPES,
  CHANNELS,
  MESSAGE_EVENTS,
  SUBSCRIPTION_EVENTS,
  type AuthType,
} from '@campaign-webhooks/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import {
  ChannelsRules,
  FlagRules,
  MessageEventsRules,
  NameRules,
  NotifyEmailRules,
  OptionalTextRules,
  Present,
  SubscriptionEventsRules,
  TextRules,
  TokenRules,
  UrlRules,
  UsernameRules,
} from './connection-fields';

/**
 * A change of auth settings. With the stored type, each field left out keeps its stored value (so a
 * password can change without resending the username). With another type, that type's required
 * fields must all be given; a change to `signed` generates a new secret.
 */
export class PatchAuthDto {
  @ApiProperty({
    enum: AUTH_TYPES,
    enumName: 'AuthType',
    description: 'The stored type, or the type to change to.',
  })
  @IsIn(AUTH_TYPES)
  type!: AuthType;

  @ApiPropertyOptional({ description: 'basic' })
  @Present()
  @UsernameRules()
  username?: string;

  @ApiPropertyOptional({ description: 'basic. Write-only.', writeOnly: true })
  @Present()
  @TextRules(512)
  password?: string;

  @ApiPropertyOptional({ description: 'bearer. Write-only.', writeOnly: true })
  @Present()
  @TokenRules()
  token?: string;

  @ApiPropertyOptional({ description: 'oauth2' })
  @Present()
  @UrlRules()
  tokenUrl?: string;

  @ApiPropertyOptional({ description: 'oauth2' })
  @Present()
  @TextRules(512)
  clientId?: string;

  @ApiPropertyOptional({ description: 'oauth2. Write-only.', writeOnly: true })
  @Present()
  @TextRules(4096)
  clientSecret?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'oauth2; null clears it.' })
  @IsOptional()
  @OptionalTextRules(1024)
  scope?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'oauth2; null clears it.' })
  @IsOptional()
  @OptionalTextRules(1024)
  audience?: string | null;
}

/** Any subset of a connection's settings; what is left out stays as it is. */
export class PatchConnectionDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @Present()
  @NameRules()
  name?: string;

  @ApiPropertyOptional({ maxLength: 2048, description: 'A full https:// URL, checked as on create.' })
  @Present()
  @UrlRules()
  url?: string;

  @ApiPropertyOptional({ type: PatchAuthDto })
  @Present()
  @IsObject({ message: 'auth must be an object' })
  @ValidateNested()
  @Type(() => PatchAuthDto)
  auth?: PatchAuthDto;

  @ApiPropertyOptional({ enum: MESSAGE_EVENTS, enumName: 'MessageEvent', isArray: true })
  @Present()
  @MessageEventsRules()
  messageEvents?: string[];

  @ApiPropertyOptional({ enum: CHANNELS, enumName: 'Channel', isArray: true })
  @Present()
  @ChannelsRules()
  channels?: string[];

  @ApiPropertyOptional({ enum: SUBSCRIPTION_EVENTS, enumName: 'SubscriptionEvent', isArray: true })
  @Present()
  @SubscriptionEventsRules()
  subscriptionEvents?: string[];

  @ApiPropertyOptional()
  @Present()
  @FlagRules()
  excludeIntegrationSources?: boolean;

  @ApiPropertyOptional()
  @Present()
  @FlagRules()
  requireExternalMessageId?: boolean;

  @ApiPropertyOptional()
  @Present()
  @FlagRules()
  useStaticIp?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null clears it.' })
  @NotifyEmailRules()
  notifyOnErrorEmail?: string | null;

  @ApiPropertyOptional({ description: 'false stops sending, true resumes it.' })
  @Present()
  @FlagRules()
  active?: boolean;
}
