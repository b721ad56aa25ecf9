// Names the console shows instead of codes: users, orgs, positions, processes. Loaded once per
// session and shared by every page.
import { useEffect, useState } from 'preact/hooks';
import { type Page, type ProcessSummary, api } from './api';

function cached<T>(load: () => Promise<T>, empty: T): { get: () => Promise<T>; use: () => T } {
  let promise: Promise<T> | undefined;
  const get = () =>
    (promise ??= load().catch((err: unknown) => {
      promise = undefined;
      throw err;
    }));
  return {
    get,
    use() {
      const [value, setValue] = useState<T>(empty);
      useEffect(() => {
        let live = true;
        get().then(
          (v) => live && setValue(v),
          () => undefined,
        );
        return () => {
          live = false;
        };
      }, []);
      return value;
    },
  };
}

async function all<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api(`${path}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export interface Org {
  code: string;
  name: string;
  kind: string;
  city: string;
}

const users = cached(
  async () =>
    new Map(
      (await all<{ username: string; displayName: string }>('/directory/users')).map((u) => [
        u.username,
        u.displayName,
      ]),
    ),
  new Map<string, string>(),
);
const orgs = cached(
  async () => new Map((await all<Org>('/directory/orgs')).map((o) => [o.code, o])),
  new Map<string, Org>(),
);
const processes = cached(
  async () => (await api<{ items: ProcessSummary[] }>('/processes')).items,
  [] as ProcessSummary[],
);

export const useUsers = users.use;
export const useOrgs = orgs.use;
export const useProcesses = processes.use;
export const loadUsers = users.get;

export const userName = (map: Map<string, string>, username: string | null | undefined): string =>
  username ? (map.get(username) ?? username) : '';
export const orgName = (map: Map<string, Org>, code: string | null | undefined): string =>
  code ? (map.get(code)?.name ?? code) : '';
export const processName = (list: ProcessSummary[], key: string): string =>
  list.find((p) => p.key === key)?.name ?? key;
