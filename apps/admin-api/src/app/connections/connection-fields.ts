import { CHANNELS, MESSAGE_EVENTS, SUBSCRIPTION_EVENTS } from '@campaign-webhooks/contracts';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import {
  IsArray,
  IsBoolean,
  IsEmail,
  IsNotEmpty,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
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

/**
 * Puts the rule's bounds in the property's OpenAPI schema. The property's own @ApiProperty, written
 * above the rules and so applied after them, adds to this rather than replacing it.
 */
const Documented = (bounds: { minLength?: number; maxLength: number }) => ApiProperty(bounds);

/** A non-empty string; the checks run in this order and the first that fails is the one reported. */
export const TextRules = (maxLength: number) =>
  applyDecorators(IsString(), IsNotEmpty(), MaxLength(maxLength), Documented({ minLength: 1, maxLength }));

/** A string that may be empty (an OAuth scope or audience). */
export const OptionalTextRules = (maxLength: number) =>
  applyDecorators(IsString(), MaxLength(maxLength), Documented({ maxLength }));

/** Control characters would break a header line (CR, LF) or how the value reads anywhere else. */
const NoControlCharacters = (why: string) =>
  ValidateBy({
    name: 'noControlCharacters',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !hasControlCharacter(value),
      defaultMessage: ({ property }: ValidationArguments) =>
        `${property} must not contain control characters (${why})`,
    },
  });

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export const NameRules = () =>
  applyDecorators(TextRules(200), NoControlCharacters('it is shown and rendered'));

/** A credential sent in a header: a password, a token, an OAuth client's id and secret. */
export const CredentialRules = (maxLength: number) =>
  applyDecorators(TextRules(maxLength), NoControlCharacters('it is sent in a header'));

/** Basic auth joins the username and password with a colon, so the username can hold none. */
export const UsernameRules = () =>
  applyDecorators(
    CredentialRules(512),
    Matches(/^[^:]*$/, { message: '$property must not contain a colon (Basic auth puts one after it)' }),
  );

/** The form of a URL the pipeline dials: the endpoint, an OAuth token URL. */
export const UrlRules = () => applyDecorators(TextRules(2048), IsEndpointUrl());

export const MessageEventsRules = () => applyDecorators(IsArray(), EachIn(MESSAGE_EVENTS, 'message event'));

export const ChannelsRules = () => applyDecorators(IsArray(), EachIn(CHANNELS, 'channel'));

export const SubscriptionEventsRules = () =>
  applyDecorators(IsArray(), EachIn(SUBSCRIPTION_EVENTS, 'subscription event'));

export const FlagRules = () => IsBoolean();

/** `null` clears the address, so only a present, non-null value is checked. */
export const NotifyEmailRules = () =>
  applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null),
    IsEmail({}, { message: 'notifyOnErrorEmail must be an email address, or null to send none' }),
    MaxLength(320),
  );

/** Every item of a list is one of `known`; a value that is not a list is left to `IsArray`. */
function EachIn(known: readonly string[], kind: string) {
  const unknownIn = (value: unknown): unknown[] =>
    Array.isArray(value) ? value.filter((item) => !known.includes(item as string)) : [];
  return ValidateBy({
    name: 'eachIn',
    validator: {
      validate: (value: unknown) => unknownIn(value).length === 0,
      defaultMessage: ({ property, value }: ValidationArguments) =>
        `${property} has unknown ${kind}s ${unknownIn(value)
          .map((item) => JSON.stringify(item))
          .join(', ')}; known: ${known.join(', ')}`,
    },
  });
}
