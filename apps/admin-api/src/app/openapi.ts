import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';

type SchemaObject = Record<string, unknown>;

/** The OpenAPI document of the admin API, generated from its controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('campaign-webhooks admin API')
      .setDescription('Webhook connections of a campaign platform project.')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A project API key.' })
      .build(),
  );
  closeRequestSchemas(document);
  linkCreatedConnection(document);
  return document;
}

/**
 * OpenAPI links from the connection a POST creates to every operation on `/v1/connections/{id}`,
 * so clients (and stateful testers) can follow the `id` it answers with.
 */
export function linkCreatedConnection(document: OpenAPIObject): void {
  const created = document.paths['/v1/connections']?.post?.responses['201'] as
    | { links?: Record<string, unknown> }
    | undefined;
  if (!created) return;
  const links: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/connections/{id}')) continue;
    for (const method of METHODS) {
      const operationId = (item as Record<string, { operationId?: string } | undefined>)[method]?.operationId;
      if (!operationId) continue;
      links[operationId] = {
        operationId,
        parameters: { id: '$response.body#/id' },
        description: `The \`id\` of the new connection, for ${method.toUpperCase()} ${path}.`,
      };
    }
  }
  created.links = links;
}

/**
 * Request bodies refuse unknown fields (the validation pipe forbids them); says so in every schema
 * a request body reaches, so generated clients and fuzzers know it too.
 */
export function closeRequestSchemas(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  const closed = new Set<string>();
  const close = (schema: unknown): void => {
    if (!schema || typeof schema !== 'object') return;
    const ref = (schema as { $ref?: string }).$ref;
    if (ref) {
      const name = ref.slice(ref.lastIndexOf('/') + 1);
      if (closed.has(name) || schemas[name]?.['type'] !== 'object') return;
      closed.add(name);
      schemas[name]['additionalProperties'] = false;
      for (const property of Object.values((schemas[name]['properties'] ?? {}) as SchemaObject)) {
        close(property);
        close((property as { items?: unknown }).items);
        for (const member of ((property as { allOf?: unknown[] }).allOf ?? []) as unknown[]) close(member);
      }
    }
  };
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      const content = (operation as { requestBody?: { content?: Record<string, { schema?: unknown }> } })
        .requestBody?.content;
      for (const media of Object.values(content ?? {})) close(media.schema);
    }
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

/**
 * Answers 405 with an `Allow` header when a documented path is asked with a method it does not
 * have, instead of the router's 404 (which would say the resource does not exist).
 */
export function methodNotAllowed(document: OpenAPIObject) {
  const routes = Object.entries(document.paths).map(([template, item]) => {
    const allowed = Object.keys(item)
      .filter((method) => METHODS.includes(method))
      .map((method) => method.toUpperCase());
    if (allowed.includes('GET')) allowed.push('HEAD');
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    return { template, allowed, matcher: new RegExp(`^${pattern}/?$`) };
  });
  return (request: Request, response: Response, next: NextFunction): void => {
    const route = routes.find(({ matcher }) => matcher.test(request.path));
    if (!route || route.allowed.includes(request.method)) return next();
    response
      .status(405)
      .setHeader('Allow', route.allowed.join(', '))
      .json({
        statusCode: 405,
        error: 'Method Not Allowed',
        message: `${request.method} is not allowed on ${route.template}; allowed: ${route.allowed.join(', ')}`,
      });
  };
}
