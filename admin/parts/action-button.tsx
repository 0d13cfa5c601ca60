// A button that sends one write to the API (asking first when told to) and refreshes on success.
import type { ComponentChildren } from 'preact';
import { api } from '../api.ts';

interface ActionButtonProps {
  method: 'POST' | 'DELETE';
  path: string;
  /** The page's `useAction` runner, so the error shows where the page shows its errors. */
  act: (run: () => Promise<unknown>) => Promise<boolean>;
  /** Called once the write succeeded, to re-read what it changed. */
  onDone: () => void;
  /** Asked with `confirm()` first: the write happens only on OK. */
  confirmText?: string;
  danger?: boolean;
  /** The accessible name, where the visible text alone does not say what it acts on. */
  label?: string;
  children: ComponentChildren;
}

export function ActionButton({
  method,
  path,
  act,
  onDone,
  confirmText,
  danger,
  label,
  children,
}: ActionButtonProps) {
  async function onClick() {
    if (confirmText && !confirm(confirmText)) return;
    if (await act(() => api(path, { method }))) onDone();
  }
  return (
    <button
      type="button"
      class={danger ? 'danger' : undefined}
      aria-label={label}
      onClick={onClick}
    >
      {children}
    </button>
  );
}
