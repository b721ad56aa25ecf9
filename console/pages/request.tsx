// 申请详情: a request as its applicant or anyone copied in sees it, with withdraw and cc when the
// API allows them.
import { useState } from 'preact/hooks';
import { TaskActions } from '../actions';
import { type RequestView, api } from '../api';
import { ChainOverview } from '../chain';
import { orgName, processName, userName, useOrgs, useProcesses, useUsers } from '../directory';
import { fmtDate, fmtFull } from '../format';
import { t } from '../i18n';
import { href } from '../router';
import { Loading, useAsync, useToast } from '../ui';

export function RequestPage({ id }: { id: string }) {
  const [tick, setTick] = useState(0);
  const [toast, showToast] = useToast();
  const request = useAsync(
    (signal) => api<RequestView & { allowedActions: string[] }>(`/requests/${encodeURIComponent(id)}`, { signal }),
    [id, tick],
  );
  const orgs = useOrgs();
  const users = useUsers();
  const processes = useProcesses();
  const r = request.data;
  return (
    <main class="page request">
      <Loading when={request}>
        {r && (
          <>
            <header class="page-head">
              <a class="back" href={href(['inbox', 'started'])}>
                ← {t('nav.inbox')}
              </a>
              <h1>{r.title}</h1>
              <p class="subtitle mono">{r.id}</p>
              <div class="badges">
                <span class={`badge ${r.status}`}>
                  {r.outcome ? t(`outcome.${r.outcome}`) : t(`status.${r.status}`)}
                </span>
              </div>
            </header>
            <div class="task-grid">
              <div class="col-main">
                {r.allowedActions.length > 0 && (
                  <TaskActions
                    task={undefined}
                    request={r}
                    variables={[]}
                    onDone={(text) => {
                      showToast(text);
                      setTick((n) => n + 1);
                    }}
                  />
                )}
                <section class="card">
                  <dl class="facts">
                    <dt>{t('task.process')}</dt>
                    <dd>{processName(processes, r.processKey)}</dd>
                    <dt>{t('task.applicant')}</dt>
                    <dd>{orgName(orgs, r.orgCode)}</dd>
                    <dt>{t('task.initiator')}</dt>
                    <dd>{userName(users, r.initiator)}</dd>
                    {r.conferenceDate && (
                      <>
                        <dt>{t('task.conference')}</dt>
                        <dd>{fmtDate(r.conferenceDate)}</dd>
                      </>
                    )}
                    <dt>{t('request.copied')}</dt>
                    <dd>{r.cc.length ? r.cc.map((u) => userName(users, u)).join('、') : t('request.none')}</dd>
                    <dt>{t('request.submittedAt')}</dt>
                    <dd>{fmtFull(r.createdAt)}</dd>
                  </dl>
                </section>
              </div>
              <div class="col-side">
                <ChainOverview request={r} />
              </div>
            </div>
          </>
        )}
      </Loading>
      {toast}
    </main>
  );
}
