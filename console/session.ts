// Who is signed in: the bearer token and the user it names, kept in localStorage so a reload or a
// second tab stays signed in; listeners re-render the shell when it changes.
import type { User } from './api';

const KEY = 'fabu.session';
type Listener = () => void;
const listeners = new Set<Listener>();

interface Stored {
  token: string;
  user: User;
}

function read(): Stored | null {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null') as Stored | null;
  } catch {
    return null;
  }
}

export const session = {
  token: (): string | null => read()?.token ?? null,
  user: (): User | null => read()?.user ?? null,
  signIn(token: string, user: User): void {
    localStorage.setItem(KEY, JSON.stringify({ token, user }));
    listeners.forEach((l) => l());
  },
  signOut(): void {
    localStorage.removeItem(KEY);
    listeners.forEach((l) => l());
  },
  /** The server refused the token (expired after 12 h): back to the login page. */
  expire(): void {
    this.signOut();
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
