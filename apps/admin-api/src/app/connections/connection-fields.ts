import { CHANNELS, MESSAGE_EVENTS, SUBSCRIPTION_EVENTS } from '@campaign-webhooks/contracts';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayUnique,
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

/** A name is shown in lists and emails and rendered into bodies: control characters have no place. */
export const NameRules = () =>
  applyDecorators(
    TextRules(200),
    Refuses(hasControlCharacter, '$property must not contain control characters'),
  );

/** A bearer token goes into the Authorization header as it is: only what a header value may hold. */
export const TokenRules = () =>
  applyDecorators(
    TextRules(4096),
    Refuses(
      (text) => /[^\t\x20-\x7e\x80-\xff]/.test(text),
      '$property must hold only characters a header value may (printable ASCII, Latin-1, tab)',
    ),
  );

/** Basic auth joins the username and password with a colon, so the username can hold none. */
export const UsernameRules = () =>
  applyDecorators(
    TextRules(512),
    Matches(/^[^:]*$/, { message: '$property must not contain a colon (Basic auth puts one after it)' }),
  );

/**
 * Fails a string for which `refused` holds; class-validator puts the property's name in `message`.
 * A property with more than one gives each its own `name`, the key of its message.
 */
function Refuses(refused: (text: string) => boolean, message: string, name = 'refuses') {
  const validate = (value: unknown) => typeof value !== 'string' || !refused(value);
  return ValidateBy({ name, validator: { validate } }, { message });
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The form of a URL the pipeline dials: the endpoint, an OAuth token URL. */
export const UrlRules = () => applyDecorators(TextRules(2048), IsEndpointUrl());

/** A list of known names, each once: it travels in every change-feed record of the connection. */
const KnownNames = (known: readonly string[], kind: string) =>
  applyDecorators(
    IsArray(),
    EachIn(known, kind),
    ArrayUnique({ message: `$property must name each ${kind} once` }),
  );

export const MessageEventsRules = () => KnownNames(MESSAGE_EVENTS, 'message event');

export const ChannelsRules = () => KnownNames(CHANNELS, 'channel');

export const SubscriptionEventsRules = () => KnownNames(SUBSCRIPTION_EVENTS, 'subscription event');

export const FlagRules = () => IsBoolean();

/**
 * `null` clears the address, so only a present, non-null value is checked. IsEmail lets through
 * forms the mailer rewrites or drops (control characters, a quoted local part, whitespace), which
 * would have alerts go to an address other than the one shown, or to none: those are refused.
 */
export const NotifyEmailRules = () =>
  applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null),
    IsEmail({}, { message: 'notifyOnErrorEmail must be an email address, or null to send none' }),
    MaxLength(320),
    Refuses(hasControlCharacter, '$property must not contain control characters', 'noControlCharacters'),
    Refuses((text) => /\s/.test(text), '$property must not contain whitespace', 'noWhitespace'),
    Refuses(
      (text) => text.includes('"'),
      '$property must not have a quoted local part (the part before the @)',
      'noQuotedLocalPart',
    ),
  );

/** Every item of a list is one of `known`; a value that is not a list is left to `IsArray`. */
function EachIn(known: readonly string[], kind: string) {
  const unknownIn = (value: unknown): unknown[] =>
    Array.isArray(value) ? value.filter((item) => !known.includes(item as string)) : [];
  return ValidateBy({
    name: 'eachIn',
    validator: {
      validate: (value: unknown) => unknownIn(value).length === 0,
      defaultMessage: ({ property, value }: ValidationArguments) => {
        const unknown = unknownIn(value);
        const named = unknown.slice(0, 5).map((item) => JSON.stringify(item) ?? String(item));
        if (unknown.length > named.length) named.push(`and ${unknown.length - named.length} more`);
        return `${property} has unknown ${kind}s ${named.join(', ')}; known: ${known.join(', ')}`;
      },
    },
  });
}
