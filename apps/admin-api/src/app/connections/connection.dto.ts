import {
  AUTH_TYPES,
  CHANNELS,
  MESSAGE_EVENTS,
  SUBSCRIPTION_EVENTS,
  type AuthType,
} from '@campaign-webhooks/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import {
  ChannelsRules,
  FlagRules,
  MessageEventsRules,
  NameRules,
  NotifyEmailRules,
  OptionalTextRules,
  SubscriptionEventsRules,
  TextRules,
  TokenRules,
  UrlRules,
  UsernameRules,
} from './connection-fields';

const when = (...types: AuthType[]) => ValidateIf((auth: AuthDto) => types.includes(auth.type));

export class AuthDto {
  @ApiProperty({
    enum: AUTH_TYPES,
    enumName: 'AuthType',
    description: 'How the endpoint authenticates our requests.',
  })
  @IsIn(AUTH_TYPES)
  type!: AuthType;

  @ApiPropertyOptional({ description: 'basic: the username (required for basic).' })
  @when('basic')
  @UsernameRules()
  username?: string;

  @ApiPropertyOptional({
    description: 'basic: the password (required for basic). Write-only.',
    writeOnly: true,
  })
  @when('basic')
  @TextRules(512)
  password?: string;

  @ApiPropertyOptional({
    description: 'bearer: the token (required for bearer). Write-only.',
    writeOnly: true,
  })
  @when('bearer')
  @TokenRules()
  token?: string;

  @ApiPropertyOptional({
    description: 'oauth2: the token endpoint of the client credentials grant (required for oauth2).',
    example: 'https://auth.example.com/oauth/token',
  })
  @when('oauth2')
  @UrlRules()
  tokenUrl?: string;

  @ApiPropertyOptional({ description: 'oauth2: the client id (required for oauth2).' })
  @when('oauth2')
  @TextRules(512)
  clientId?: string;

  @ApiPropertyOptional({
    description: 'oauth2: the client secret (required for oauth2). Write-only.',
    writeOnly: true,
  })
  @when('oauth2')
  @TextRules(4096)
  clientSecret?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'oauth2: the scope to request.' })
  @IsOptional()
  @OptionalTextRules(1024)
  scope?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'oauth2: the audience to request.',
  })
  @IsOptional()
  @OptionalTextRules(1024)
  audience?: string | null;
}

export class CreateConnectionDto {
  @ApiProperty({ example: 'CRM sync', maxLength: 200 })
  @NameRules()
  name!: string;

  @ApiProperty({
    example: 'https://hooks.example.com/xp',
    maxLength: 2048,
    description:
      'A full https:// URL whose host resolves only to public addresses (ENDPOINT_POLICY=allow-private also lets http:// and private addresses through).',
  })
  @UrlRules()
  url!: string;

  @ApiProperty({ type: AuthDto })
  @IsDefined()
  @IsObject({ message: 'auth must be an object' })
  @ValidateNested()
  @Type(() => AuthDto)
  auth!: AuthDto;

  @ApiProperty({ enum: MESSAGE_EVENTS, enumName: 'MessageEvent', isArray: true })
  @MessageEventsRules()
  messageEvents!: string[];

  @ApiProperty({ enum: CHANNELS, enumName: 'Channel', isArray: true })
  @ChannelsRules()
  channels!: string[];

  @ApiPropertyOptional({
    enum: SUBSCRIPTION_EVENTS,
    enumName: 'SubscriptionEvent',
    isArray: true,
    default: [],
  })
  @IsOptional()
  @SubscriptionEventsRules()
  subscriptionEvents?: string[];

  @ApiPropertyOptional({
    default: false,
    description: 'Leave out subscription changes made by integrations.',
  })
  @IsOptional()
  @FlagRules()
  excludeIntegrationSources?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Skip message events without external_message_id.' })
  @IsOptional()
  @FlagRules()
  requireExternalMessageId?: boolean;

  @ApiPropertyOptional({ default: false, description: "Send through the deployment's static egress." })
  @IsOptional()
  @FlagRules()
  useStaticIp?: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Who is emailed while the endpoint keeps failing.',
    example: 'ops@example.com',
  })
  @NotifyEmailRules()
  notifyOnErrorEmail?: string | null;

  @ApiPropertyOptional({ default: true, description: 'Whether events are sent.' })
  @IsOptional()
  @FlagRules()
  active?: boolean;
}
