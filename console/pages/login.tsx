// 登录: in the embedded default, pick one of the demo users; in production the configured OIDC
// provider signs people in (auth-oidc.ts).
import { useMemo, useState } from 'preact/hooks';
import { type User, api } from '../api';
import { startOidcLogin } from '../auth-oidc';
import { t } from '../i18n';
import { positionName } from '../positions';
import { session } from '../session';
import { Loading, Problem, useAsync } from '../ui';

interface DevUser extends User {
  orgName: string;
  city: string | null;
}

interface AuthConfig {
  mode: 'dev' | 'oidc';
}

export function LoginPage() {
  const config = useAsync((signal) => api<AuthConfig>('/auth/config', { signal }), []);
  return (
    <main class="login">
      <h1>{t('appName')}</h1>
      <Loading when={config}>
        {config.data?.mode === 'oidc' ? (
          <button class="primary" onClick={() => void startOidcLogin()}>
            {t('login.oidc')}
          </button>
        ) : (
          <DevLogin />
        )}
      </Loading>
    </main>
  );
}

function DevLogin() {
  const users = useAsync((signal) => api<{ items: DevUser[] }>('/auth/dev-users', { signal }), []);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<unknown>();
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (users.data?.items ?? []).filter(
      (u) =>
        !f ||
        [u.username, u.displayName, u.orgName, ...u.positions.map((p) => positionName(p.position))].some((s) =>
          s.toLowerCase().includes(f),
        ),
    );
  }, [users.data, filter]);
  const signIn = async (username: string) => {
    try {
      const { token, user } = await api<{ token: string; user: User }>('/auth/dev-login', {
        method: 'POST',
        body: { username },
      });
      session.signIn(token, user);
      location.hash = '#/';
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="card">
      <h2>{t('login.pick')}</h2>
      <input
        type="search"
        placeholder={t('login.search')}
        aria-label={t('login.search')}
        value={filter}
        onInput={(e) => setFilter(e.currentTarget.value)}
      />
      <Problem error={error} />
      <Loading when={users}>
        <ul class="user-list">
          {shown.map((u) => (
            <li key={u.username}>
              <button class="user" data-username={u.username} onClick={() => void signIn(u.username)}>
                <strong>{u.displayName}</strong>
                <span class="muted">{u.orgName}</span>
                <span class="small muted">
                  {u.positions.map((p) => positionName(p.position)).join('、')}
                  {u.isAdmin ? ' · admin' : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </Loading>
    </section>
  );
}
