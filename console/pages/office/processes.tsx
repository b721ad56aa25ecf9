// 审批流程: the deployed chains, and one chain's versions with the diagram of the chosen version, its
// steps in order with their rule ids and deadlines, and the variables a request declares.
import { type ProcessDetail, type ProcessSummary, type Variable, api } from '../../api';
import { Diagram } from '../../diagram';
import { orgName, useOrgs } from '../../directory';
import { fmtFull, shortHash } from '../../format';
import { t } from '../../i18n';
import { href } from '../../router';
import { Loading, useAsync } from '../../ui';
import { RuleBadges, hoursText, known, recurrenceText } from './common';

export function ProcessesPage() {
  const list = useAsync((signal) => api<{ items: ProcessSummary[] }>('/processes', { signal }), []);
  return (
    <main class="page office">
      <h1>{t('office.processes.title')}</h1>
      <p class="muted small">{t('office.processes.hint')}</p>
      <Loading when={list}>
        {list.data && list.data.items.length === 0 && <p class="empty">{t('office.processes.empty')}</p>}
        {list.data && list.data.items.length > 0 && (
          <div class="table-wrap card flush">
            <table class="grid stack" data-testid="process-list">
              <thead>
                <tr>
                  <th>{t('office.processes.name')}</th>
                  <th>{t('office.processes.code')}</th>
                  <th>{t('office.processes.rules')}</th>
                  <th>{t('office.processes.version')}</th>
                  <th>{t('office.processes.deployedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((p) => (
                  <tr key={p.key} data-process={p.key}>
                    <td data-label={t('office.processes.name')}>
                      <a href={href(['office', 'processes', p.key])}>{p.name}</a>
                      <div class="muted small mono">{p.key}</div>
                    </td>
                    <td class="inline" data-label={t('office.processes.code')}>
                      {p.code}
                    </td>
                    <td class="inline" data-label={t('office.processes.rules')}>
                      <RuleBadges rules={p.rules} />
                    </td>
                    <td class="inline" data-label={t('office.processes.version')}>
                      {t('office.processes.v', { n: p.version })}
                    </td>
                    <td class="inline" data-label={t('office.processes.deployedAt')}>
                      {fmtFull(p.deployedAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loading>
    </main>
  );
}

/** The parts of the compiled chain this page reads (src/processes/ir.ts). */
interface IrNode {
  id: string;
  kind: string;
  name?: string;
  rules?: string[];
  outgoing?: string[];
  boundaries?: string[];
  due?: { kind: string; source: string; days?: number; ms?: number; count?: number; unit?: string };
  schedule?: { recurrence?: string; cron?: string; orgCode: string };
}
interface Ir {
  nodes: Record<string, IrNode>;
  flows?: Record<string, { source: string; target: string }>;
}

export function ProcessPage({ processKey, version }: { processKey: string; version?: number }) {
  const detail = useAsync(
    (signal) =>
      api<ProcessDetail>(`/processes/${encodeURIComponent(processKey)}${version ? `?version=${version}` : ''}`, {
        signal,
      }),
    [processKey, version],
  );
  const orgs = useOrgs();
  const d = detail.data;
  const ir = d?.ir as Ir | undefined;
  const start = ir && Object.values(ir.nodes).find((n) => n.kind === 'startEvent' && n.schedule);
  const newest = d ? Math.max(...d.versions.map((v) => v.version)) : 0;
  return (
    <main class="page office">
      <header class="page-head">
        <a class="back" href={href(['office', 'processes'])}>
          ← {t('office.processes.title')}
        </a>
        <Loading when={detail}>
          {d && (
            <>
              <h1>{d.name}</h1>
              <div class="badges">
                <span class="badge">{d.code}</span>
                <RuleBadges rules={d.rules} />
                <span class={`badge ${d.version === newest ? 'ok' : 'soon'}`}>
                  {t(d.version === newest ? 'office.processes.current' : 'office.processes.older', { n: d.version })}
                </span>
              </div>
              {!start?.schedule && (
                <p class="small">
                  <a href={href(['start', d.key])}>{t('office.processes.startOne')}</a>
                </p>
              )}
            </>
          )}
        </Loading>
      </header>
      {d && ir && (
        <div class="task-grid office-grid">
          <div class="col-main">
            <section class="card process-diagram">
              <h2>{t('office.processes.diagram', { n: d.version })}</h2>
              <Diagram xml={d.bpmnXml} marks={{}} />
            </section>
            <section class="card">
              <h2>{t('office.processes.steps')}</h2>
              <Steps ir={ir} />
            </section>
          </div>
          <div class="col-side">
            {start?.schedule && (
              <section class="card">
                <h2>{t('office.processes.recurring')}</h2>
                <p>
                  {recurrenceText(start.schedule.recurrence, start.schedule.cron)} ·{' '}
                  {orgName(orgs, start.schedule.orgCode)}
                </p>
                <a href={href(['office', 'schedules'])}>{t('office.processes.toSchedules')}</a>
              </section>
            )}
            <section class="card">
              <h2>{t('office.processes.versions')}</h2>
              <ul class="versions" aria-label={t('office.processes.versions')}>
                {[...d.versions]
                  .sort((a, b) => b.version - a.version)
                  .map((v) => (
                    <li key={v.version} class={v.version === d.version ? 'selected' : ''}>
                      <a
                        href={href(['office', 'processes', d.key], {
                          version: v.version === newest ? undefined : String(v.version),
                        })}
                        aria-current={v.version === d.version ? 'page' : undefined}
                      >
                        {t('office.processes.v', { n: v.version })}
                      </a>
                      <span class="muted small"> {fmtFull(v.deployedAt)}</span>
                      <div class="muted small">
                        <span class="hash" title={v.checksum}>
                          {shortHash(v.checksum)}
                        </span>{' '}
                        {v.source && <span class="mono">{v.source}</span>}
                      </div>
                    </li>
                  ))}
              </ul>
            </section>
            <section class="card">
              <h2>{t('office.processes.variables')}</h2>
              <Variables variables={d.variables} />
            </section>
          </div>
        </div>
      )}
    </main>
  );
}

/** User and service tasks in the order the chain reaches them from its start. */
function orderedSteps(ir: Ir): IrNode[] {
  const nodes = Object.values(ir.nodes);
  const seen = new Set<string>();
  const queue = nodes.filter((n) => n.kind === 'startEvent').map((n) => n.id);
  const order: IrNode[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    const node = ir.nodes[id];
    if (!node || seen.has(id)) continue;
    seen.add(id);
    order.push(node);
    for (const flow of node.outgoing ?? []) {
      const target = ir.flows?.[flow]?.target;
      if (target) queue.push(target);
    }
    queue.push(...(node.boundaries ?? []));
  }
  order.push(...nodes.filter((n) => !seen.has(n.id)));
  return order.filter((n) => n.kind === 'userTask' || n.kind === 'serviceTask');
}

function dueText(due: IrNode['due']): string {
  if (!due) return '';
  switch (due.kind) {
    case 'workingDaysAfterOpen':
      return t('office.due.afterOpen', { n: due.days ?? 0 });
    case 'workingDaysBeforeField':
      return due.days ? t('office.due.beforeConference', { n: due.days }) : t('office.due.onConference');
    case 'durationAfterOpen':
      return t('office.due.within', { hours: hoursText(due.ms ?? 0) });
    case 'startOfField':
      return t('office.due.beforeConferenceStarts');
    default:
      return due.source;
  }
}

function Steps({ ir }: { ir: Ir }) {
  const steps = orderedSteps(ir);
  if (steps.length === 0) return <p class="muted">{t('common.none')}</p>;
  return (
    <ol class="process-steps">
      {steps.map((s) => (
        <li key={s.id} data-element={s.id}>
          <span class="step-name">{s.name || s.id}</span>
          {s.kind === 'serviceTask' && <span class="badge">{t('office.processes.automatic')}</span>}
          <RuleBadges rules={s.rules ?? []} />
          {s.due && <span class="muted small"> · {dueText(s.due)}</span>}
        </li>
      ))}
    </ol>
  );
}

function Variables({ variables }: { variables: Variable[] }) {
  if (variables.length === 0) return <p class="muted">{t('office.processes.noVariables')}</p>;
  return (
    <div class="table-wrap">
      <table class="grid small" data-testid="process-variables">
        <thead>
          <tr>
            <th>{t('office.processes.varName')}</th>
            <th>{t('office.processes.varType')}</th>
            <th>{t('office.processes.varDefault')}</th>
          </tr>
        </thead>
        <tbody>
          {variables.map((v) => (
            <tr key={v.name}>
              <td>
                {v.label ?? v.name}
                <div class="muted mono">{v.name}</div>
              </td>
              <td>
                {known(`office.varType.${v.type}`, v.type)}
                {v.values && <div class="muted">{v.values.join(' / ')}</div>}
              </td>
              <td>
                {v.default === undefined || v.default === ''
                  ? '—'
                  : typeof v.default === 'boolean'
                    ? t(v.default ? 'common.yes' : 'common.no')
                    : String(v.default)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
