// Calls to the imports API that imports tests share: follow an import until it is finished.
import { TEST_API_KEY } from './server.ts';
import { until } from './workflow-dir.ts';

export interface ImportJson {
  id: number;
  kind: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  error: string | null;
  failedContacts: { index: number; reason: string; contact: unknown }[];
}

export async function getImport(baseUrl: string, id: number, query = ''): Promise<ImportJson> {
  const res = await fetch(`${baseUrl}/api/v1/imports/${id}${query}`, {
    headers: { authorization: `Bearer ${TEST_API_KEY}` },
  });
  if (res.status !== 200) throw new Error(`GET /imports/${id} answered ${res.status}`);
  return (await res.json()) as ImportJson;
}

/** Waits until the import is `done` or `failed` (a positive signal), and answers it. */
export function finishedImport(baseUrl: string, id: number, timeoutMs = 30_000) {
  return until(async () => {
    const found = await getImport(baseUrl, id);
    return found.status === 'done' || found.status === 'failed' ? found : undefined;
  }, timeoutMs);
}
