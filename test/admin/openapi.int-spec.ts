import SwaggerParser from '@apidevtools/swagger-parser';
import { readFile, writeFile } from 'node:fs/promises';
import type { OpenAPIV3 } from 'openapi-types';
import { packageVersion } from 'src/admin/common/package-version.util';
import { GENERATED_TYPES, generateTypes } from 'test/support/admin-openapi';
import { createTestApp, type TestApp } from 'test/support/test-app';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** Schemas typed `object` with nothing inside: what a `number | null` field used to become. */
function opaqueObjects(schema: unknown, path: string, found: string[]): string[] {
  if (typeof schema !== 'object' || schema === null) {
    return found;
  }
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' && !s.properties && !s.additionalProperties && !s.$ref) {
    found.push(path);
  }
  for (const [key, value] of Object.entries(s)) {
    opaqueObjects(value, `${path}.${key}`, found);
  }
  return found;
}

describe('the served OpenAPI document (issue 16)', () => {
  let t: TestApp;
  let document: OpenAPIV3.Document;

  beforeAll(async () => {
    t = await createTestApp();
    const response = await t.app.inject({ method: 'GET', url: '/api/docs-json' });
    document = JSON.parse(response.body) as OpenAPIV3.Document;
  });

  afterAll(async () => {
    await t.close();
  });

  it('is a valid OpenAPI 3 document', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('names the package version and a plain bearer scheme', () => {
    expect(document.info.version).toBe(packageVersion());
    const schemes = document.components?.securitySchemes ?? {};
    expect(Object.values(schemes)).toEqual([expect.objectContaining({ type: 'http', scheme: 'bearer' })]);
    expect(JSON.stringify(schemes)).not.toMatch(/JWT/);
  });

  it('gives every operation a summary, a typed success and the error shape for 400 and 401', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const operation = item?.[method];
        if (!operation) {
          continue;
        }
        const name = `${method.toUpperCase()} ${path}`;
        if (!operation.summary) {
          problems.push(`${name}: no summary`);
        }
        const responses = operation.responses as Record<string, OpenAPIV3.ResponseObject>;
        const success = Object.keys(responses).find((status) => /^2/.test(status));
        if (!success || (success !== '204' && !responses[success].content?.['application/json']?.schema)) {
          problems.push(`${name}: no typed success answer`);
        }
        for (const status of ['400', '401']) {
          const schema = responses[status]?.content?.['application/json']?.schema as OpenAPIV3.ReferenceObject;
          if (schema?.$ref !== '#/components/schemas/ErrorDto') {
            problems.push(`${name}: ${status} is not an ErrorDto`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('types every property: integers as integers, no opaque objects, examples given', () => {
    const schemas = document.components?.schemas ?? {};
    expect(opaqueObjects(schemas, 'schemas', [])).toEqual([]);
    const user = schemas.UserDto as OpenAPIV3.SchemaObject;
    const torrent = schemas.TorrentDto as OpenAPIV3.SchemaObject;
    expect(user.properties?.uploaded).toMatchObject({ type: 'integer' });
    expect(torrent.properties?.id).toMatchObject({ type: 'integer', nullable: true });
    const withoutExample = Object.entries(schemas).flatMap(([name, schema]) =>
      Object.entries((schema as OpenAPIV3.SchemaObject).properties ?? {})
        .filter(([, property]) => !('$ref' in property) && !('items' in property) && property.example === undefined)
        .map(([key]) => `${name}.${key}`),
    );
    expect(withoutExample).toEqual([]);
  });

  it('matches the committed typed client (UPDATE_ADMIN_CLIENT=1 regenerates it)', async () => {
    const generated = await generateTypes(document);
    if (process.env.UPDATE_ADMIN_CLIENT === '1') {
      await writeFile(GENERATED_TYPES, generated);
    }
    expect(generated).toBe(await readFile(GENERATED_TYPES, 'utf8'));
  }, 60_000);
});
