import {
  checkEndpointUrl,
  resolveAndCheck,
  systemResolver,
  type AddressResolver,
  type EndpointPolicy,
} from '@campaign-webhooks/http-delivery';
import type { FieldError } from '../field-errors';

/**
 * Save-time check of a URL the pipeline will dial (the endpoint, an OAuth token URL): its form under
 * the policy, then, under `public-https`, every address its host resolves to. Delivery checks the
 * dialled address again, so a name that changes its answer later is still refused.
 */
export async function checkEndpoint(
  field: string,
  url: string,
  policy: EndpointPolicy,
  resolve: AddressResolver = systemResolver,
): Promise<FieldError | undefined> {
  const form = checkEndpointUrl(url, policy);
  if (!form.ok) return { field, message: form.reason };
  const addresses = await resolveAndCheck(form.url.hostname, policy, resolve);
  if (!addresses.ok) return { field, message: addresses.reason };
  return undefined;
}

/** Checks each given URL at once; the errors of all of them, so one answer names every bad field. */
export async function checkEndpoints(
  urls: { field: string; url: string | undefined }[],
  policy: EndpointPolicy,
  resolve: AddressResolver = systemResolver,
): Promise<FieldError[]> {
  const checks = await Promise.all(
    urls.flatMap(({ field, url }) => (url === undefined ? [] : [checkEndpoint(field, url, policy, resolve)])),
  );
  return checks.filter((error): error is FieldError => error !== undefined);
}
