// Small shared pieces: loading data, running actions, showing errors, times, statuses and contacts.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { href } from '../router.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
      },
      (err) => live && setError(messageOf(err)),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError && err.issues.length)
    return err.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return err instanceof Error ? err.message : String(err);
}

export function ErrorNote({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Loading<T>({
  state,
  children,
}: {
  state: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  if (state.error) return <ErrorNote error={state.error} />;
  if (state.data === undefined)
    return (
      <p class="muted" aria-live="polite">
        Loading…
      </p>
    );
  return <>{children(state.data)}</>;
}

export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">—</span>;
  const date = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
}

export function Status({ value }: { value: string }) {
  return <span class={`badge badge-${value}`}>{value}</span>;
}

/** A link to a contact by id, or a dash for what belongs to no contact. */
export function ContactRef({ id }: { id: number | null }) {
  if (id === null) return <>—</>;
  return <a href={href('contacts', id)}>#{id}</a>;
}

/** A page's heading, focused on arrival so a screen reader announces the new page. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  return (
    <h1 tabIndex={-1} id="page-title">
      {children}
    </h1>
  );
}

/** Runs an action, showing its error beside the control that started it. */
export function useAction(): [
  string | undefined,
  (run: () => Promise<unknown>) => Promise<boolean>,
] {
  const [error, setError] = useState<string>();
  const act = useCallback(async (run: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await run();
      return true;
    } catch (err) {
      setError(messageOf(err));
      return false;
    }
  }, []);
  return [error, act];
}
