import { checkEndpointUrl, type EndpointPolicy } from '@campaign-webhooks/http-delivery';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

export const ENDPOINT_POLICY = Symbol('ENDPOINT_POLICY');

/**
 * The form of an endpoint URL under the deployment's policy, checked with the other fields so one
 * answer names every bad field. Its addresses are resolved later, by the service, once the request
 * is otherwise valid. Outside Nest's container the policy is the strict default.
 */
@ValidatorConstraint({ name: 'endpointUrl' })
@Injectable()
export class EndpointUrlConstraint implements ValidatorConstraintInterface {
  private readonly policy: EndpointPolicy;

  constructor(@Optional() @Inject(ENDPOINT_POLICY) policy?: EndpointPolicy) {
    this.policy = policy ?? 'public-https';
  }

  validate(value: unknown): boolean {
    return typeof value !== 'string' || checkEndpointUrl(value, this.policy).ok;
  }

  defaultMessage({ value }: ValidationArguments): string {
    const check = checkEndpointUrl(String(value), this.policy);
    return check.ok ? 'URL is not valid' : check.reason;
  }
}

export const IsEndpointUrl = () => Validate(EndpointUrlConstraint);
