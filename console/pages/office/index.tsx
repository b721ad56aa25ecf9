// The press office's pages (新闻办): processes, calendar, schedules, compliance, incidents.
// `#/office/<page>/...`; the API decides who may see or change what, and a refusal is shown.
import { t } from '../../i18n';
import { href } from '../../router';
import { CalendarPage } from './calendar';
import { CompliancePage } from './compliance';
import { IncidentPage, IncidentsPage } from './incidents';
import { ProcessPage, ProcessesPage } from './processes';
import { SchedulesPage } from './schedules';

const PAGES = ['processes', 'calendar', 'schedules', 'compliance', 'incidents'] as const;

export function OfficePage({ path, query }: { path: string[]; query: URLSearchParams }) {
  const [page, id] = path;
  switch (page) {
    case 'processes': {
      const version = Number(query.get('version')) || undefined;
      return id ? <ProcessPage key={id} processKey={id} version={version} /> : <ProcessesPage />;
    }
    case 'calendar':
      return <CalendarPage query={query} />;
    case 'schedules':
      return <SchedulesPage />;
    case 'compliance':
      return <CompliancePage query={query} />;
    case 'incidents':
      return id ? <IncidentPage key={id} id={id} /> : <IncidentsPage query={query} />;
    default:
      return (
        <main class="page office">
          <h1>{t('nav.office')}</h1>
          <ul class="process-list">
            {PAGES.map((p) => (
              <li key={p}>
                <a class="card process-card" href={href(['office', p])}>
                  <strong>{t(`nav.${p}`)}</strong>
                  <span class="muted small">{t(`office.about.${p}`)}</span>
                </a>
              </li>
            ))}
          </ul>
        </main>
      );
  }
}
