import { EventFamily } from '@campaign-webhooks/contracts';
import { jsonValueText } from './json-text';
import { propertyKeysFor } from './property-keys';

export interface RenderInput {
  family: EventFamily;
  event: string;
  time: number;
  properties: Readonly<Record<string, unknown>>;
}

interface PropertyField {
  key: string;
  /** The JSON text written before the value: the quoted key and its colon, after a comma when not first. */
  prefix: string;
}

const propertyFieldsByFamily: Readonly<Record<EventFamily, readonly PropertyField[]>> = {
  message: propertyFieldsOf('message'),
  subscription: propertyFieldsOf('subscription'),
};

/**
 * The contract's default body of an event as JSON text: every property key of the family, in the
 * contract's order, `null` when missing; properties outside the contract are left out.
 */
export function renderDefaultBody(input: RenderInput): string {
  const { properties } = input;
  let body =
    '{"event":' + jsonValueText(input.event) + ',"time":' + jsonValueText(input.time) + ',"properties":{';
  for (const field of propertyFieldsByFamily[input.family]) {
    body += field.prefix + jsonValueText(properties[field.key]);
  }
  return body + '}}';
}

function propertyFieldsOf(family: EventFamily): PropertyField[] {
  return propertyKeysFor(family).map((key, index) => ({
    key,
    prefix: (index === 0 ? '' : ',') + JSON.stringify(key) + ':',
  }));
}
