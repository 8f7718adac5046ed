/**
 * A plausible body for each documented write, built from the OpenAPI document's examples, so
 * the fuzzer can break one field of an otherwise valid body instead of only sending noise.
 */
type Schema = {
  $ref?: string;
  type?: string;
  example?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
};

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content?: Record<string, { schema?: Schema }> };
        parameters?: Array<{ name: string; in: string }>;
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
}

function exampleOf(schema: Schema | undefined, doc: OpenApi, depth = 0): unknown {
  if (!schema || depth > 6) return undefined;
  if (schema.$ref) return exampleOf(doc.components?.schemas?.[schema.$ref.split('/').pop()!], doc, depth + 1);
  if (schema.allOf?.length) return exampleOf(schema.allOf[0], doc, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const value = exampleOf(property, doc, depth + 1);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case 'array': {
      const item = exampleOf(schema.items, doc, depth + 1);
      return item === undefined ? [] : [item];
    }
    case 'string':
      return 'example';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return schema.properties ? exampleOf({ ...schema, type: 'object' }, doc, depth) : undefined;
  }
}

/** `"POST /api/v1/incidents/:id/notes"` → an example body (absent when the document has none). */
export function exampleBodies(doc: OpenApi): Map<string, Record<string, unknown>> {
  const bodies = new Map<string, Record<string, unknown>>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const example = exampleOf(schema, doc);
      if (example && typeof example === 'object' && !Array.isArray(example)) {
        bodies.set(
          `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
          example as Record<string, unknown>,
        );
      }
    }
  }
  return bodies;
}

/** `"GET /api/v1/incidents"` → the query parameters the document names for it. */
export function queryNames(doc: OpenApi): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      names.set(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`, query);
    }
  }
  return names;
}
