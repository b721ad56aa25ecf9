// 任务详情: the request (title, org, conference date, materials with their hashes), what this user
// may do now, the chain on its diagram and the history.
import { useState } from 'preact/hooks';
import { TaskActions } from '../actions';
import { type ProcessDetail, type RequestView, type TaskDetail, api } from '../api';
import { ChainOverview } from '../chain';
import { orgName, processName, userName, useOrgs, useProcesses, useUsers } from '../directory';
import { fmtDate } from '../format';
import { t } from '../i18n';
import { Materials } from '../materials';
import { href } from '../router';
import { DueBadge, Loading, useAsync, useToast } from '../ui';

export function TaskPage({ id }: { id: string }) {
  const [toast, showToast] = useToast();
  const [tick, setTick] = useState(0);
  const task = useAsync((signal) => api<TaskDetail>(`/tasks/${encodeURIComponent(id)}`, { signal }), [id, tick]);
  const requestId = task.data?.requestId;
  const request = useAsync(
    (signal) =>
      requestId
        ? api<RequestView & { allowedActions: string[] }>(`/requests/${encodeURIComponent(requestId)}`, { signal })
        : Promise.resolve(undefined),
    [requestId, tick],
  );
  const process = useAsync(
    (signal) =>
      task.data?.request
        ? api<ProcessDetail>(`/processes/${encodeURIComponent(task.data.request.processKey)}`, { signal })
        : Promise.resolve(undefined),
    [task.data?.request?.processKey],
  );
  const orgs = useOrgs();
  const users = useUsers();
  const processes = useProcesses();
  const reload = (text: string) => {
    showToast(text);
    setTick((n) => n + 1);
  };
  return (
    <main class="page task">
      <Loading when={task}>
        {task.data && (
          <>
            <header class="page-head">
              <a class="back" href={href(['inbox', 'open'])}>
                ← {t('nav.inbox')}
              </a>
              <h1>{task.data.name}</h1>
              <p class="subtitle">{task.data.request?.title}</p>
              <div class="badges">
                <span class={`badge ${task.data.status}`}>{t(`task.status.${task.data.status}`)}</span>
                {task.data.status === 'open' && <DueBadge task={task.data} />}
                {task.data.assignee && (
                  <span class="badge">{t('task.claimedBy', { name: userName(users, task.data.assignee) })}</span>
                )}
                {task.data.delegatedTo && (
                  <span class="badge">{t('task.delegatedTo', { name: userName(users, task.data.delegatedTo) })}</span>
                )}
              </div>
            </header>
            <div class="task-grid">
              <div class="col-main">
                {task.data.status === 'open' ||
                task.data.allowedActions.length > 0 ||
                request.data?.allowedActions.length ? (
                  <TaskActions
                    task={task.data}
                    request={request.data}
                    variables={process.data?.variables ?? []}
                    onDone={reload}
                  />
                ) : null}
                {task.data.request && (
                  <section class="card">
                    <h2>{t('task.request')}</h2>
                    <dl class="facts">
                      <dt>{t('task.request')}</dt>
                      <dd>
                        <a href={href(['requests', task.data.request.id])}>{task.data.request.id}</a>
                      </dd>
                      <dt>{t('task.process')}</dt>
                      <dd>{processName(processes, task.data.request.processKey)}</dd>
                      <dt>{t('task.applicant')}</dt>
                      <dd>{orgName(orgs, task.data.request.orgCode)}</dd>
                      <dt>{t('task.initiator')}</dt>
                      <dd>{userName(users, task.data.request.initiator)}</dd>
                      {task.data.request.conferenceDate && (
                        <>
                          <dt>{t('task.conference')}</dt>
                          <dd>{fmtDate(task.data.request.conferenceDate)}</dd>
                        </>
                      )}
                      <dt>{t('task.holders')}</dt>
                      <dd>{task.data.candidates.map((u) => userName(users, u)).join('、')}</dd>
                      {task.data.rules.length > 0 && (
                        <>
                          <dt>{t('task.rules')}</dt>
                          <dd>{task.data.rules.join(' ')}</dd>
                        </>
                      )}
                    </dl>
                  </section>
                )}
                <Materials
                  requestId={task.data.requestId}
                  materials={task.data.materials}
                  canUpload={task.data.status === 'open' && task.data.allowedActions.length > 0}
                  onUploaded={reload}
                />
              </div>
              <div class="col-side">
                <Loading when={request}>
                  {request.data && <ChainOverview request={request.data} focusTask={task.data.id} />}
                </Loading>
              </div>
            </div>
          </>
        )}
      </Loading>
      {toast}
    </main>
  );
}
