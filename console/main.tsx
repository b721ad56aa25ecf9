// The web console: a shell (header, navigation, language switch) around hash-routed pages. Served
// by the app at `/`, built into dist/console by scripts/build-console.mjs; nothing from elsewhere.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { finishOidcLogin } from './auth-oidc';
import { currentLang, onLangChange, setLang, t } from './i18n';
import { InboxPage, type Tab } from './pages/inbox';
import { LoginPage } from './pages/login';
import { OfficePage } from './pages/office/index';
import { ProxiesPage } from './pages/proxies';
import { RequestPage } from './pages/request';
import { StartPage } from './pages/start';
import { TaskPage } from './pages/task';
import { isPressOffice } from './positions';
import { href, useRoute } from './router';
import { session } from './session';
import { Problem } from './ui';

const OFFICE_PAGES = ['processes', 'calendar', 'schedules', 'compliance', 'incidents'] as const;

function App() {
  const [, rerender] = useState(0);
  useEffect(() => session.subscribe(() => rerender((n) => n + 1)), []);
  useEffect(() => onLangChange(() => rerender((n) => n + 1)), []);
  const route = useRoute();
  const user = session.user();
  if (!user) return <LoginPage />;
  const [section = 'inbox', ...rest] = route.path;
  const office = isPressOffice(user);
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          发布
        </a>
        <nav class="main-nav">
          <a href={href(['inbox', 'open'])} class={section === 'inbox' || section === 'tasks' ? 'active' : ''}>
            {t('nav.inbox')}
          </a>
          <a href={href(['start'])} class={section === 'start' ? 'active' : ''}>
            {t('nav.start')}
          </a>
          <a href={href(['proxies'])} class={section === 'proxies' ? 'active' : ''}>
            {t('nav.proxies')}
          </a>
          {office &&
            OFFICE_PAGES.map((page) => (
              <a
                key={page}
                href={href(['office', page])}
                class={section === 'office' && rest[0] === page ? 'active' : ''}
              >
                {t(`nav.${page}`)}
              </a>
            ))}
        </nav>
        <div class="who">
          <span class="user-name" data-testid="signed-in">
            {user.displayName}
          </span>
          <button class="link" onClick={() => setLang(currentLang() === 'zh' ? 'en' : 'zh')}>
            {t('nav.language')}
          </button>
          <button class="link" onClick={() => session.signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <Page section={section} rest={rest} query={route.query} />
    </>
  );
}

function Page({ section, rest, query }: { section: string; rest: string[]; query: URLSearchParams }) {
  switch (section) {
    case 'inbox':
      return (
        <InboxPage
          tab={(['open', 'done', 'cc', 'started'].includes(rest[0] ?? '') ? rest[0] : 'open') as Tab}
          query={query}
        />
      );
    case 'tasks':
      return rest[0] ? <TaskPage key={rest[0]} id={rest[0]} /> : null;
    case 'requests':
      return rest[0] ? <RequestPage key={rest[0]} id={rest[0]} /> : null;
    case 'start':
      return <StartPage processKey={rest[0]} />;
    case 'proxies':
      return <ProxiesPage />;
    case 'office':
      return <OfficePage path={rest} query={query} />;
    default:
      return (
        <main class="page">
          <p>{t('common.notFound')}</p>
        </main>
      );
  }
}

function Boot() {
  const [error, setError] = useState<unknown>();
  const [ready, setReady] = useState(!new URLSearchParams(location.search).has('code'));
  useEffect(() => {
    if (ready) return;
    finishOidcLogin().then(
      () => setReady(true),
      (err: unknown) => {
        setError(err);
        setReady(true);
      },
    );
  }, []);
  if (!ready) return <p class="muted">{t('common.loading')}</p>;
  return (
    <>
      {error !== undefined && <Problem error={error} />}
      <App />
    </>
  );
}

document.documentElement.lang = currentLang() === 'zh' ? 'zh-CN' : 'en';
render(<Boot />, document.getElementById('app')!);
