// /api/v1/imports: a CSV import (JSON or multipart), an import's status; /contacts/upload from a URL.
import { createRoute, type z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.ts';
import { requireScope } from '../../auth/require-api-key.ts';
import { jsonAnswer, jsonBody, lacking } from '../../contacts/http/openapi-parts.ts';
import { ValidationError } from '../../errors.ts';
import { type ApiApp, errorResponse, errorResponses, security } from '../../http/api-app.ts';
import { zodIssues } from '../../http/error-handler.ts';
import { csvRules } from '../import-rules.ts';
import { getImportView } from '../import-view.ts';
import { csvRecords } from '../sources/csv-rows.ts';
import { fetchCsv } from '../sources/fetch-source.ts';
import { receiveCsvImport } from '../start-import.ts';
import {
  CsvImportOptions,
  type CsvImportOptionsInput,
  type CsvJsonRequest,
  CsvMultipartRequest,
  csvJsonBody,
  ImportQuery,
  ImportQueued,
  ImportResource,
  InwiseBatchInsertRequest,
  importIdParams,
  UploadRequest,
} from './import-schemas.ts';

const tooLarge = (limit: number) => ({
  413: {
    ...errorResponses[413],
    description: `The body is larger than IMPORT_MAX_BYTES (${limit} bytes by default)`,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/imports/{id}',
  tags: ['imports'],
  summary: 'An import: its status, counts and failed rows',
  description:
    'Status `queued`, `running`, `done` or `failed`; `processed` = `created` + `updated` + ' +
    '`skipped` + `failed`. `failedContacts` lists failed rows in row order with the reason (naming ' +
    'the field or CSV column) and the row as given, up to `failedLimit`; page with `failedAfter`.',
  security,
  middleware: [requireScope('contacts:read')] as const,
  request: { params: importIdParams, query: ImportQuery },
  responses: {
    200: jsonAnswer('The import', ImportResource),
    ...errorResponses,
    ...lacking('contacts:read'),
    404: errorResponse('No import with this id'),
  },
});

export const csvRouteDescription = `Imports a CSV file (UTF-8, with or without BOM; \`,\` or \`;\` as
detected from the header line; quoted fields; CRLF or LF) in the background and answers its id. Send
it as multipart (\`file\`, and \`options\` as JSON) or as JSON (\`{csv, ...options}\`). Whitespace
around every value is trimmed; empty cells leave a value as it is. Without \`mapping\`, columns are
matched by header name (Email, Phone/Mobile/SMS, FirstName, LastName, ExternalId, Town/City, Region,
Address, Postcode/Zip; any other column becomes a custom field of its name). A contact is found by
external id, else email, else phone; new ones are \`confirmed\` unless \`status\` is given, get no
mail, and start no workflow unless \`eventKeyForNewContacts\` is given. A row with a bad email, phone
or field value fails alone (see \`failedContacts\`). inwise's batchInsert body
(\`InwiseBatchInsertRequest\`: \`csv_file\`, \`fields_mapping\`, \`group_id\`, \`country_code\`,
\`trim_leading_zero\`, \`updateExistingContacts\`) is read into this one.`;

const postRoute = (limit: number) =>
  createRoute({
    method: 'post',
    path: '/imports',
    tags: ['imports'],
    summary: 'Import contacts from a CSV file (background); answers the import id',
    description: csvRouteDescription,
    security,
    middleware: [requireScope('contacts:write')] as const,
    request: {
      body: {
        content: {
          'application/json': { schema: csvJsonBody },
          'multipart/form-data': { schema: CsvMultipartRequest },
        },
        required: false,
      },
    },
    responses: {
      202: jsonAnswer('Stored and queued; follow it at GET /imports/{id}', ImportQueued),
      ...errorResponses,
      ...lacking('contacts:write'),
      ...tooLarge(limit),
      415: jsonAnswer(
        'Neither JSON nor multipart/form-data',
        errorResponses[422].content['application/json'].schema,
      ),
    },
  });

/** The `options` part of a multipart upload, parsed like a JSON body's options. */
function multipartOptions(text: string | undefined): CsvImportOptionsInput {
  let raw: unknown = {};
  try {
    raw = text ? JSON.parse(text) : {};
  } catch {
    throw new ValidationError([{ field: 'options', message: 'must be a JSON object' }]);
  }
  const parsed = CsvImportOptions.safeParse(raw);
  if (!parsed.success)
    throw new ValidationError(
      zodIssues(parsed.error).map((i) => ({ ...i, field: `options.${i.field}` })),
    );
  return parsed.data;
}

async function* textChunks(text: string): AsyncGenerator<string> {
  // Handed on in slices, so the parser's stream is fed as from a file.
  for (let i = 0; i < text.length; i += 1 << 16) yield text.slice(i, i + (1 << 16));
}

const uploadRoute = createRoute({
  method: 'post',
  path: '/contacts/upload',
  tags: ['imports'],
  summary: 'Import contacts from a CSV file at a URL (eSputnik); answers the import id',
  description:
    'Subflow downloads the file (http or https; `https://user:pass@host/…` sends basic auth) and ' +
    'imports it as POST /imports does, with the same options. Loopback, private and link-local ' +
    'addresses are refused, also after a redirect and on what the name resolves to, unless ' +
    'IMPORT_ALLOW_PRIVATE=true; the download is limited to IMPORT_MAX_BYTES and ' +
    'IMPORT_FETCH_TIMEOUT_S. A refused or failed download is a 422 naming `link`.',
  security,
  middleware: [requireScope('contacts:write')] as const,
  request: { body: jsonBody(UploadRequest) },
  responses: {
    202: jsonAnswer('Downloaded, stored and queued; follow it at GET /imports/{id}', ImportQueued),
    ...errorResponses,
    ...lacking('contacts:write'),
  },
});

export function registerImportRoutes(api: ApiApp, deps: AppDeps): void {
  const ctx = { db: deps.db, wakeups: deps.wakeups };
  // Referenced from POST /imports' description: read into CsvImportRequest first.
  api.openAPIRegistry.register('InwiseBatchInsertRequest', InwiseBatchInsertRequest);

  api.openapi(getRoute, async (c) => {
    const query = c.req.valid('query');
    const failures = { after: query.failedAfter, limit: query.failedLimit };
    return c.json(await getImportView(deps.db, c.req.valid('param').id, failures), 200);
  });

  api.openapi(postRoute(deps.config.IMPORT_MAX_BYTES), async (c) => {
    const source = `import:api:${c.get('principal').name}`;
    const form = c.req.valid('form') as Partial<z.infer<typeof CsvMultipartRequest>>;
    const json = c.req.valid('json') as Partial<z.infer<typeof CsvJsonRequest>>;
    let options: CsvImportOptionsInput;
    let input: AsyncIterable<Uint8Array | string>;
    if (form.file) {
      options = multipartOptions(form.options);
      input = form.file.stream() as unknown as AsyncIterable<Uint8Array>;
    } else if (json.csv !== undefined) {
      const { csv, ...rest } = json as z.infer<typeof CsvJsonRequest>;
      options = rest;
      input = textChunks(csv);
    } else {
      throw new ValidationError([
        {
          field: 'csv',
          message: 'send the CSV as JSON {csv, ...options} or multipart (file, options)',
        },
      ]);
    }
    const session = await receiveCsvImport(
      ctx,
      { records: csvRecords(input), mapping: options.mapping, rules: csvRules(options, source) },
      Date.now(),
    );
    return c.json({ id: session.id }, 202);
  });

  api.openapi(uploadRoute, async (c) => {
    const { link, ...options } = c.req.valid('json');
    const { config } = deps;
    const limits = {
      maxBytes: config.IMPORT_MAX_BYTES,
      timeoutMs: config.IMPORT_FETCH_TIMEOUT_S * 1000,
      allowPrivate: config.IMPORT_ALLOW_PRIVATE,
    };
    const rules = csvRules(options, `import:url:${c.get('principal').name}`);
    const records = csvRecords(fetchCsv(link, limits));
    const session = await receiveCsvImport(
      ctx,
      { records, mapping: options.mapping, rules },
      Date.now(),
    );
    return c.json({ id: session.id }, 202);
  });
}
