// 定时任务: the recurring chains' schedules — the monthly topic meeting (N2), the routine city
// conference in the second week of the month (N3), Liuzhou's quarterly conference and its watch
// (L1) and the annual plan due by 1 February (L2) — with their next runs; pause, resume or start a
// run now. The same Temporal Schedules operators see in Temporal UI.
import { useState } from 'preact/hooks';
import { api } from '../../api';
import { orgName, processName, useOrgs, useProcesses } from '../../directory';
import { fmtFull } from '../../format';
import { t } from '../../i18n';
import { href } from '../../router';
import { session } from '../../session';
import { Field, Loading, Problem, useAsync, useAttempt, useToast } from '../../ui';
import { RuleBadges, recurrenceText } from './common';

interface ScheduleView {
  id: string;
  processKey: string;
  processVersion: number | null;
  recurrence: string | null;
  cron: string | null;
  orgCode: string | null;
  paused: boolean;
  note: string | null;
  nextRuns: string[];
  recentRuns: Array<{ workflowId: string; scheduledAt: string; takenAt: string }>;
}

type Action = 'pause' | 'resume' | 'trigger';

export function SchedulesPage() {
  const list = useAsync((signal) => api<{ items: ScheduleView[] }>('/schedules', { signal }), []);
  const [changed, setChanged] = useState<Record<string, ScheduleView>>({});
  const [toast, showToast] = useToast();
  const items = list.data?.items.map((s) => changed[s.processKey] ?? s) ?? [];
  return (
    <main class="page office">
      <header class="page-head">
        <h1>{t('office.schedules.title')}</h1>
        <p class="muted small">{t('office.schedules.hint')}</p>
      </header>
      <Loading when={list}>
        {list.data && items.length === 0 && <p class="empty">{t('office.schedules.empty')}</p>}
        <ul class="schedule-list">
          {items.map((s) => (
            <ScheduleCard
              key={s.processKey}
              schedule={s}
              onChanged={(next, text) => {
                setChanged((c) => ({ ...c, [next.processKey]: next }));
                showToast(text);
              }}
            />
          ))}
        </ul>
      </Loading>
      {toast}
    </main>
  );
}

function ScheduleCard({
  schedule: s,
  onChanged,
}: {
  schedule: ScheduleView;
  onChanged: (s: ScheduleView, text: string) => void;
}) {
  const processes = useProcesses();
  const orgs = useOrgs();
  const [open, setOpen] = useState<Action | null>(null);
  const [note, setNote] = useState('');
  const { busy, error, attempt } = useAttempt();
  const rules = processes.find((p) => p.key === s.processKey)?.rules ?? [];
  const run = async (action: Action) => {
    await attempt(async () => {
      // The note is what Temporal UI shows for the change: without a reason, at least who made it.
      const who = session.user()?.displayName ?? '';
      const body =
        action === 'trigger'
          ? undefined
          : { note: note.trim() || t(`office.schedules.defaultNote.${action}`, { name: who }) };
      const next = await api<ScheduleView>(`/schedules/${encodeURIComponent(s.processKey)}/${action}`, {
        method: 'POST',
        body,
      });
      setOpen(null);
      setNote('');
      onChanged(next, t(`office.schedules.done.${action}`, { name: processName(processes, s.processKey) }));
    });
  };
  return (
    <li class={`card schedule ${s.paused ? 'is-paused' : ''}`} data-schedule={s.processKey}>
      <div class="schedule-head">
        <div>
          <h2>
            <a href={href(['office', 'processes', s.processKey])}>{processName(processes, s.processKey)}</a>
          </h2>
          <div class="badges">
            <span class={`badge ${s.paused ? 'soon' : 'ok'}`} data-testid="schedule-state">
              {t(s.paused ? 'office.schedules.paused' : 'office.schedules.active')}
            </span>
            <RuleBadges rules={rules} />
            {s.processVersion !== null && <span class="badge">{t('office.processes.v', { n: s.processVersion })}</span>}
          </div>
        </div>
        <div class="action-buttons">
          {s.paused ? (
            <button onClick={() => setOpen(open === 'resume' ? null : 'resume')} aria-expanded={open === 'resume'}>
              {t('office.schedules.resume')}
            </button>
          ) : (
            <button onClick={() => setOpen(open === 'pause' ? null : 'pause')} aria-expanded={open === 'pause'}>
              {t('office.schedules.pause')}
            </button>
          )}
          <button onClick={() => setOpen(open === 'trigger' ? null : 'trigger')} aria-expanded={open === 'trigger'}>
            {t('office.schedules.trigger')}
          </button>
        </div>
      </div>
      <dl class="facts">
        <dt>{t('office.schedules.rule')}</dt>
        <dd>{recurrenceText(s.recurrence, s.cron) || '—'}</dd>
        <dt>{t('office.schedules.org')}</dt>
        <dd>{s.orgCode ? orgName(orgs, s.orgCode) : '—'}</dd>
        {s.note && (
          <>
            <dt>{t('office.schedules.note')}</dt>
            <dd class="muted">{s.note}</dd>
          </>
        )}
        <dt>{t('office.schedules.next')}</dt>
        <dd>
          {s.paused ? (
            <span class="muted">{t('office.schedules.noRunsWhilePaused')}</span>
          ) : s.nextRuns.length === 0 ? (
            '—'
          ) : (
            <ul class="chips" data-testid="next-runs">
              {s.nextRuns.map((at) => (
                <li key={at}>{fmtFull(at)}</li>
              ))}
            </ul>
          )}
        </dd>
        <dt>{t('office.schedules.recent')}</dt>
        <dd>
          {s.recentRuns.length === 0 ? (
            <span class="muted">{t('office.schedules.noRecent')}</span>
          ) : (
            <ul class="plain">
              {s.recentRuns.map((r) => (
                <li key={r.workflowId}>
                  <a class="mono small" href={href(['requests', r.workflowId])}>
                    {r.workflowId}
                  </a>
                  <span class="muted small"> · {fmtFull(r.takenAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      {open && (
        <form
          class="action-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(open);
          }}
        >
          {open === 'trigger' ? (
            <p class="warn small">{t('office.schedules.triggerHint')}</p>
          ) : (
            <Field label={t('office.schedules.reason')} hint={t('office.schedules.reasonHint')}>
              <input type="text" maxLength={200} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            </Field>
          )}
          <div class="form-buttons">
            <button type="submit" class="primary" disabled={busy}>
              {t(`office.schedules.confirm.${open}`)}
            </button>
            <button type="button" onClick={() => setOpen(null)}>
              {t('action.cancel')}
            </button>
          </div>
        </form>
      )}
      <Problem error={error} />
    </li>
  );
}
