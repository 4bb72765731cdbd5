// A small router over the History API: every page of the app lives under /app (the server answers index.html
// for any of them), so links are real addresses that reload, bookmark and open in a new tab.
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";

export const BASE = "/app";
const CHANGED = "perfgraph:navigate";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(CHANGED, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(CHANGED, onChange);
  };
}

/** The current address inside the app: "/org", "/reviews/abc" … ("/" for /app itself). */
export function currentPath(): string {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : "/";
  return path === "" ? "/" : path;
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** The query string of the current address, read on every navigation. */
export function useSearchParams(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  return new URLSearchParams(search);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = to.startsWith(BASE) ? to : BASE + (to.startsWith("/") ? to : `/${to}`);
  if (options.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  window.dispatchEvent(new Event(CHANGED));
}

/** The parts of a path matched against a pattern such as "/reviews/:formId"; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An anchor that navigates inside the app without reloading (a modified click still opens a new tab). */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const href = BASE + (to.startsWith("/") ? to : `/${to}`);
  const current = currentPath() === to || (to !== "/" && currentPath().startsWith(`${to}/`));
  function follow(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  }
  return <a href={href} aria-current={current ? "page" : undefined} onClick={follow} {...rest} />;
}
