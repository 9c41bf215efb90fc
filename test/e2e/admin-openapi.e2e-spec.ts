import { adminApiUrl } from '../support/admin-api';

/** The parts of an OpenAPI 3 document these tests read. */
interface Operation {
  operationId?: string;
  summary?: string;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  security?: unknown;
  parameters?: { in: string; name: string; required?: boolean }[];
  responses: Record<
    string,
    { content?: Record<string, { schema?: unknown }>; links?: Record<string, { operationId: string }> }
  >;
}
interface Schema {
  type?: string;
  properties: Record<string, { writeOnly?: boolean; minLength?: number; $ref?: string }>;
  required?: string[];
  additionalProperties?: boolean;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
}

const operations: [string, string, string[]][] = [
  ['get', '/v1/catalog', ['200', '401']],
  ['post', '/v1/connections', ['201', '400', '401', '413', '415', '503']],
  ['get', '/v1/connections', ['200', '401']],
  ['get', '/v1/connections/{id}', ['200', '401', '404']],
  ['patch', '/v1/connections/{id}', ['200', '400', '401', '404', '409', '413', '415', '503']],
  ['delete', '/v1/connections/{id}', ['204', '400', '401', '404', '409', '503']],
  ['post', '/v1/connections/{id}/deactivate', ['200', '400', '401', '404', '409', '503']],
  ['post', '/v1/connections/{id}/activate', ['200', '400', '401', '404', '409', '503']],
  ['post', '/v1/connections/{id}/secret/rotate', ['200', '400', '401', '404', '409', '503']],
  ['get', '/v1/connections/{id}/templates/{event}', ['200', '401', '404']],
  ['put', '/v1/connections/{id}/templates/{event}', ['200', '400', '401', '404', '409', '413', '415', '503']],
  ['delete', '/v1/connections/{id}/templates/{event}', ['204', '400', '401', '404', '409', '503']],
  ['get', '/v1/connections/{id}/deliveries', ['200', '400', '401', '404']],
  ['post', '/v1/connections/{id}/test', ['200', '400', '401', '404', '413', '415']],
  ['post', '/v1/deliveries/{deliveryId}/resend', ['202', '401', '404', '503']],
];

/** Operations that change nothing about the connection itself carry no If-Match. */
const leavesConnectionAlone = new Set(['/v1/connections/{id}/test', '/v1/connections/{id}/deliveries']);

describe('the OpenAPI document', () => {
  let document: OpenApiDocument;

  beforeAll(async () => {
    const response = await fetch(`${adminApiUrl}/docs-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });

  it.each(operations)('describes %s %s with its answers', (method, path, statuses) => {
    const operation = document.paths[path]?.[method];

    expect(operation).toBeDefined();
    expect(operation.summary).toEqual(expect.any(String));
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(operation.responses).sort()).toEqual([...statuses].sort());
    for (const status of statuses.filter((code) => code !== '204')) {
      expect({ status, schema: operation.responses[status].content?.['application/json']?.schema }).toEqual({
        status,
        schema: expect.anything(),
      });
    }
  });

  it('documents no operation that does not exist', () => {
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));

    expect(documented.sort()).toEqual(operations.map(([method, path]) => `${method} ${path}`).sort());
  });

  it('documents If-Match on every change of an existing connection', () => {
    for (const [method, path] of operations.filter(
      ([m, p]) => m !== 'get' && p.includes('{id}') && !leavesConnectionAlone.has(p),
    )) {
      const header = document.paths[path][method].parameters?.find((parameter) => parameter.in === 'header');
      expect({ method, path, header: header?.name, required: header?.required }).toEqual({
        method,
        path,
        header: 'If-Match',
        required: false,
      });
    }
  });

  it('describes the bodies and answers, secrets write-only', () => {
    const schemas = document.components.schemas;

    for (const name of [
      'CreateConnectionDto',
      'PatchConnectionDto',
      'ConnectionViewDto',
      'ConnectionListDto',
      'PutTemplateDto',
      'TemplateViewDto',
      'CatalogDto',
      'ValidationErrorBodyDto',
      'ErrorBodyDto',
    ]) {
      expect({ name, defined: schemas[name] !== undefined }).toEqual({ name, defined: true });
    }
    expect(schemas.AuthDto.properties.password.writeOnly).toBe(true);
    expect(schemas.PatchAuthDto.properties.clientSecret.writeOnly).toBe(true);
    expect(schemas.AuthViewDto.properties).toHaveProperty('passwordSet');
    expect(schemas.AuthViewDto.properties).not.toHaveProperty('password');
    expect(Object.keys(schemas.PatchConnectionDto.properties).sort()).toEqual(
      [
        'name',
        'url',
        'auth',
        'messageEvents',
        'channels',
        'subscriptionEvents',
        'excludeIntegrationSources',
        'requireExternalMessageId',
        'useStaticIp',
        'notifyOnErrorEmail',
        'active',
      ].sort(),
    );
    expect(schemas.PatchConnectionDto.required ?? []).toEqual([]);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('says that request bodies refuse unknown fields, and which strings must not be empty', () => {
    const schemas = document.components.schemas;
    const bodies = operations
      .map(
        ([method, path]) => document.paths[path][method].requestBody?.content['application/json'].schema.$ref,
      )
      .filter((ref): ref is string => ref !== undefined)
      .map((ref) => ref.slice(ref.lastIndexOf('/') + 1));

    expect(new Set(bodies)).toEqual(
      new Set(['CreateConnectionDto', 'PatchConnectionDto', 'PutTemplateDto', 'TestSendDto']),
    );
    for (const name of [...bodies, 'AuthDto', 'PatchAuthDto']) {
      expect({ name, additionalProperties: schemas[name].additionalProperties }).toEqual({
        name,
        additionalProperties: false,
      });
    }
    expect(schemas.CreateConnectionDto.properties.name.minLength).toBe(1);
    expect(schemas.PatchAuthDto.properties.password.minLength).toBe(1);
  });

  it('links the id of a created connection to every operation on it', () => {
    const links = document.paths['/v1/connections'].post.responses['201'].links ?? {};
    const onAConnection = operations
      .filter(([, path]) => path.startsWith('/v1/connections/{id}'))
      .map(([method, path]) => document.paths[path][method].operationId);

    expect(
      Object.values(links)
        .map((link) => link.operationId)
        .sort(),
    ).toEqual(onAConnection.sort());
  });

  it('answers 405 with Allow for a method a documented path does not have', async () => {
    const response = await fetch(`${adminApiUrl}/v1/catalog`, { method: 'DELETE' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toMatchObject({
      statusCode: 405,
      message: expect.stringContaining('DELETE'),
    });
  });

  it('is browsable at /docs', async () => {
    const response = await fetch(`${adminApiUrl}/docs`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('swagger');
  });
});
