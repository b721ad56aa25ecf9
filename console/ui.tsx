// Small pieces every page uses: loading data, showing an API problem in words, deadline badges,
// names instead of usernames, and a transient notice.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type TaskView } from './api';
import { fmtInstant, slackText } from './format';
import { problemText, t } from './i18n';

export interface Async<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; a newer load wins over an older one still in flight. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ctrl.signal).then(
      (data) => !ctrl.signal.aborted && setState({ data, loading: false }),
      (error: unknown) => !ctrl.signal.aborted && setState({ error, loading: false }),
    );
    return () => ctrl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/**
 * A call a button or form makes: `busy` while it runs, and its refusal kept in `error` (for
 * {@link Problem}), cleared when it runs again.
 */
export function useAttempt(): {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  attempt: (call: () => Promise<void>) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const attempt = async (call: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await call();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, attempt };
}

/** An API refusal in words: the code's meaning, the server's detail, and each field or element at fault. */
export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'INTERNAL', String((error as Error)?.message ?? error));
  const words = problemText(e.code) ?? t('error.title');
  return (
    <div class="problem" role="alert" data-code={e.code}>
      <strong>{words}</strong>
      {e.detail && e.detail !== words && <div class="problem-detail">{e.detail}</div>}
      {e.errors.length > 0 && (
        <ul>
          {e.errors.map((f, i) => (
            <li key={i}>
              {t('error.field', {
                field: f.path ?? f.element ?? (f.line !== undefined ? t('error.line', { n: f.line }) : ''),
                message: f.message,
              })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ when, children }: { when: Async<unknown>; children?: ComponentChildren }) {
  if (when.error) return <Problem error={when.error} />;
  if (when.loading && when.data === undefined) return <p class="muted">{t('common.loading')}</p>;
  return <>{children}</>;
}

/** A task's deadline: working days left, overdue, provisional. */
export function DueBadge({
  task,
}: {
  task: Pick<TaskView, 'dueAt' | 'overdue' | 'slackWorkingDays' | 'dueProvisional'>;
}) {
  const urgent = task.overdue ? 'overdue' : task.slackWorkingDays !== null && task.slackWorkingDays <= 1 ? 'soon' : '';
  return (
    <span class="due">
      <span class={`badge ${urgent}`} title={task.dueAt ? fmtInstant(task.dueAt) : undefined}>
        {slackText(task)}
      </span>
      {task.dueAt && <span class="muted small"> {fmtInstant(task.dueAt)}</span>}
      {task.dueProvisional && (
        <span class="badge provisional" title={t('due.provisionalHint')}>
          {t('due.provisional')}
        </span>
      )}
    </span>
  );
}

/** A short-lived notice at the bottom of the screen (role=status, read out by screen readers). */
export function useToast(): [ComponentChildren, (text: string) => void] {
  const [text, setText] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const show = useCallback((next: string) => {
    setText(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setText(null), 4000);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  return [
    text ? (
      <div class="toast" role="status">
        {text}
      </div>
    ) : null,
    show,
  ];
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="muted small">{hint}</span>}
    </label>
  );
}
