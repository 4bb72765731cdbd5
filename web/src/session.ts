// Who is signed in: a bearer token and who it belongs to, kept in sessionStorage (one tab, gone when it
// closes). Development sign-in links carry a one-time code the server exchanges for a token
// (POST /auth/code-exchange); in production the identity provider's token arrives as #token=<jwt>.
import { useSyncExternalStore } from "react";

export interface Session {
  token: string;
  expiresAt: string;
  employee: { id: string; name: string };
  organizationId: string | null;
}

const KEY = "perfgraph.session";
const CHANGED = "perfgraph:session";

/** A refusal of the sign-in endpoints, in words a person understands. */
export class SignInError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SIGN_IN_WORDS: Record<string, string> = {
  CODE_INVALID: "This sign-in link has already been used or is not valid. Ask for a new one.",
  CODE_EXPIRED: "This sign-in link has expired (links last 10 minutes). Ask for a new one.",
  BAD_REQUEST: "The sign-in link is incomplete. Copy the whole link and try again.",
  RATE_LIMITED: "Too many sign-in attempts from here. Wait a minute and try again.",
  NOT_FOUND: "That person could not be found.",
};

let cached: Session | null | undefined;

function read(): Session | null {
  if (cached !== undefined) return cached;
  try {
    const text = window.sessionStorage.getItem(KEY);
    cached = text ? (JSON.parse(text) as Session) : null;
  } catch {
    cached = null;
  }
  if (cached && isExpired(cached)) {
    cached = null;
    window.sessionStorage.removeItem(KEY);
  }
  return cached;
}

export function isExpired(session: Session): boolean {
  return Date.parse(session.expiresAt) <= Date.now();
}

export function currentSession(): Session | null {
  return read();
}

export function saveSession(session: Session | null): void {
  cached = session;
  if (session) window.sessionStorage.setItem(KEY, JSON.stringify(session));
  else window.sessionStorage.removeItem(KEY);
  window.dispatchEvent(new Event(CHANGED));
}

export function useSession(): Session | null {
  return useSyncExternalStore((onChange) => {
    window.addEventListener(CHANGED, onChange);
    return () => window.removeEventListener(CHANGED, onChange);
  }, read);
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new SignInError("NETWORK", "Perfgraph cannot be reached. Check your connection and try again.");
  }
  const data = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) {
    const code = data?.error?.code ?? `HTTP_${response.status}`;
    throw new SignInError(code, SIGN_IN_WORDS[code] ?? data?.error?.message ?? `Sign-in failed (${response.status}).`);
  }
  return data;
}

/** Exchanges a one-time code from a sign-in link for a session (the code cannot be used again). */
export async function exchangeCode(code: string): Promise<Session> {
  const session = (await postJson("/auth/code-exchange", { code })) as Session;
  saveSession(session);
  return session;
}

/** A session from an identity provider's token (#token=<jwt>): who it is comes from the API's `me`. */
export function sessionFromToken(token: string): Session | null {
  const [, payload] = token.split(".");
  if (!payload) return null;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: number; sub?: string };
    const expiresAt = new Date((claims.exp ?? Date.now() / 1000 + 3600) * 1000).toISOString();
    return { token, expiresAt, employee: { id: claims.sub ?? "", name: "" }, organizationId: null };
  } catch {
    return null;
  }
}

export interface Persona {
  persona?: string;
  employeeId: string;
  name: string;
  title: string | null;
  department: string | null;
  roles: string[];
}

/** Development only: the demo's personas, and people matching `search` (GET /dev/personas). */
export async function findPersonas(search: string): Promise<{ personas: Persona[]; people: Persona[] }> {
  let response: Response;
  try {
    response = await fetch(`/dev/personas?search=${encodeURIComponent(search)}`, { headers: { Accept: "application/json" } });
  } catch {
    throw new SignInError("NETWORK", "Perfgraph cannot be reached. Check your connection and try again.");
  }
  if (response.status === 404) throw new SignInError("NOT_DEVELOPMENT", "Sign in through your organisation's sign-in page.");
  if (!response.ok) throw new SignInError(`HTTP_${response.status}`, `The people list could not be loaded (${response.status}).`);
  return (await response.json()) as { personas: Persona[]; people: Persona[] };
}

/** Development only: signs in as someone through a fresh one-time code (POST /dev/sign-in, then the exchange). */
export async function signInAs(employeeId: string): Promise<Session> {
  const { code } = (await postJson("/dev/sign-in", { employeeId })) as { code: string };
  return exchangeCode(code);
}
