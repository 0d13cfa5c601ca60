// Reads a prom-client counter's current value for one set of labels.
import type { Counter } from 'prom-client';

export async function counterValue<L extends string>(
  counter: Counter<L>,
  labels: Partial<Record<L, string>>,
): Promise<number> {
  const { values } = await counter.get();
  const wanted = Object.entries(labels);
  return values.find((v) => wanted.every(([k, x]) => v.labels[k as L] === x))?.value ?? 0;
}
