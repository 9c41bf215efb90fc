import { CHANNELS, MESSAGE_EVENTS, SUBSCRIPTION_EVENTS } from '@campaign-webhooks/contracts';
import { applyDecorators } from '@nestjs/common';
import {
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsString,
  MaxLength,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { IsEndpointUrl } from './endpoint-url.constraint';

/**
 * The rules of each connection setting, shared by create (where most are required) and PATCH (where
 * each may be left out).
 */

/** Validates the field only when it is there: unlike `@IsOptional()`, `null` is still refused. */
export const Present = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

export const NameRules = () => applyDecorators(IsString(), IsNotEmpty(), MaxLength(200));

export const UrlRules = () => applyDecorators(IsString(), IsNotEmpty(), MaxLength(2048), IsEndpointUrl());

export const MessageEventsRules = () =>
  applyDecorators(
    IsArray(),
    IsIn(MESSAGE_EVENTS, { each: true, message: unknownValues('message event', MESSAGE_EVENTS) }),
  );

export const ChannelsRules = () =>
  applyDecorators(IsArray(), IsIn(CHANNELS, { each: true, message: unknownValues('channel', CHANNELS) }));

export const SubscriptionEventsRules = () =>
  applyDecorators(
    IsArray(),
    IsIn(SUBSCRIPTION_EVENTS, {
      each: true,
      message: unknownValues('subscription event', SUBSCRIPTION_EVENTS),
    }),
  );

export const FlagRules = () => IsBoolean();

/** `null` clears the address, so only a present, non-null value is checked. */
export const NotifyEmailRules = () =>
  applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null),
    IsEmail({}, { message: 'notifyOnErrorEmail must be an email address, or null to send none' }),
    MaxLength(320),
  );

function unknownValues(kind: string, known: readonly string[]) {
  return ({ property, value }: ValidationArguments) => {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    const unknown = values.filter((item) => !known.includes(item as string));
    return `${property} has unknown ${kind}s ${unknown.map((item) => JSON.stringify(item)).join(', ')}; known: ${known.join(', ')}`;
  };
}
