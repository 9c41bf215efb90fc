import { AUTH_TYPES, CHANNELS, MESSAGE_EVENTS, SUBSCRIPTION_EVENTS } from '@campaign-webhooks/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

type AuthTypeName = (typeof AUTH_TYPES)[number];
const when = (...types: AuthTypeName[]) => ValidateIf((auth: AuthDto) => types.includes(auth.type));

export class AuthDto {
  @ApiProperty({ enum: AUTH_TYPES, description: 'How the endpoint authenticates our requests.' })
  @IsIn(AUTH_TYPES)
  type!: AuthTypeName;

  @ApiPropertyOptional({ description: 'Basic: the username.' })
  @when('basic')
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  username?: string;

  @ApiPropertyOptional({ description: 'Basic: the password. Write-only.', writeOnly: true })
  @when('basic')
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  password?: string;

  @ApiPropertyOptional({ description: 'Bearer: the token. Write-only.', writeOnly: true })
  @when('bearer')
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  token?: string;

  @ApiPropertyOptional({ description: 'OAuth 2.0: the token endpoint (client credentials grant).' })
  @when('oauth2')
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  tokenUrl?: string;

  @ApiPropertyOptional({ description: 'OAuth 2.0: the client id.' })
  @when('oauth2')
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  clientId?: string;

  @ApiPropertyOptional({ description: 'OAuth 2.0: the client secret. Write-only.', writeOnly: true })
  @when('oauth2')
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  clientSecret?: string;

  @ApiPropertyOptional({ description: 'OAuth 2.0: the scope to request.' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;

  @ApiPropertyOptional({ description: 'OAuth 2.0: the audience to request.' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  audience?: string;
}

export class CreateConnectionDto {
  @ApiProperty({ example: 'CRM sync' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'https://hooks.example.com/xp', description: 'A full https:// URL.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  url!: string;

  @ApiProperty({ type: AuthDto })
  @ValidateNested()
  @Type(() => AuthDto)
  auth!: AuthDto;

  @ApiProperty({ enum: MESSAGE_EVENTS, isArray: true })
  @IsArray()
  @IsIn(MESSAGE_EVENTS, { each: true })
  messageEvents!: string[];

  @ApiProperty({ enum: CHANNELS, isArray: true })
  @IsArray()
  @IsIn(CHANNELS, { each: true })
  channels!: string[];

  @ApiPropertyOptional({ enum: SUBSCRIPTION_EVENTS, isArray: true, default: [] })
  @IsOptional()
  @IsArray()
  @IsIn(SUBSCRIPTION_EVENTS, { each: true })
  subscriptionEvents?: string[];

  @ApiPropertyOptional({
    default: false,
    description: 'Leave out subscription changes made by integrations.',
  })
  @IsOptional()
  @IsBoolean()
  excludeIntegrationSources?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Skip message events without external_message_id.' })
  @IsOptional()
  @IsBoolean()
  requireExternalMessageId?: boolean;

  @ApiPropertyOptional({ default: false, description: "Send through the deployment's static egress." })
  @IsOptional()
  @IsBoolean()
  useStaticIp?: boolean;

  @ApiPropertyOptional({ nullable: true, description: 'Who is emailed while the endpoint keeps failing.' })
  @IsOptional()
  @IsEmail()
  notifyOnErrorEmail?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class AuthViewDto {
  @ApiProperty({ enum: AUTH_TYPES })
  type!: AuthTypeName;
  @ApiPropertyOptional() username?: string;
  @ApiPropertyOptional() passwordSet?: boolean;
  @ApiPropertyOptional() tokenSet?: boolean;
  @ApiPropertyOptional() tokenUrl?: string;
  @ApiPropertyOptional() clientId?: string;
  @ApiPropertyOptional() clientSecretSet?: boolean;
  @ApiPropertyOptional() scope?: string;
  @ApiPropertyOptional() audience?: string;
  @ApiPropertyOptional() secretSet?: boolean;
  @ApiPropertyOptional({
    description: 'Signed Payload: the whsec_ signing secret, in the create response only.',
  })
  secret?: string;
}

export class ConnectionViewDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: AuthViewDto }) auth!: AuthViewDto;
  @ApiProperty({ enum: MESSAGE_EVENTS, isArray: true }) messageEvents!: string[];
  @ApiProperty({ enum: CHANNELS, isArray: true }) channels!: string[];
  @ApiProperty({ enum: SUBSCRIPTION_EVENTS, isArray: true }) subscriptionEvents!: string[];
  @ApiProperty() excludeIntegrationSources!: boolean;
  @ApiProperty() requireExternalMessageId!: boolean;
  @ApiProperty() useStaticIp!: boolean;
  @ApiProperty({ nullable: true, type: String }) notifyOnErrorEmail!: string | null;
  @ApiProperty() active!: boolean;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ConnectionListDto {
  @ApiProperty({ type: ConnectionViewDto, isArray: true }) items!: ConnectionViewDto[];
}
