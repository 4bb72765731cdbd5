// Shared pieces every page uses: loading and error states, initials in place of photos, a brief highlight
// for what just changed live.
import { type ReactNode, useEffect, useRef, useState } from "react";
import type { CombinedError } from "urql";
import { useConnectionState } from "../client";
import { describeError, describePayloadError, type PayloadError } from "../errors";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** A failed query, subscription or sign-in, in words (announced to screen readers). */
export function ErrorMessage({ error, retry }: { error: CombinedError | Error | string | null | undefined; retry?: () => void }) {
  if (!error) return null;
  const text = typeof error === "string" ? error : describeError(error);
  return (
    <div className="error" role="alert">
      <p>{text}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** The `errors` of a refused write, one line per field. */
export function PayloadErrors({ errors }: { errors: PayloadError[] | null | undefined }) {
  if (!errors || errors.length === 0) return null;
  return (
    <ul className="error" role="alert">
      {errors.map((error, index) => (
        <li key={`${error.field ?? ""}-${index}`}>{describePayloadError(error)}</li>
      ))}
    </ul>
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}

/** A person's initials in a circle whose colour follows their id (photos are not stored). */
export function Avatar({ name, id, size = "md" }: { name: string; id: string; size?: "sm" | "md" | "lg" }) {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (
    <span className={`avatar avatar-${size}`} style={{ backgroundColor: `hsl(${hash % 360} 45% 32%)` }} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

/** Wraps what may change live: when `version` changes after the first render, it is highlighted briefly. */
export function Highlight({ version, children, as = "div", className = "" }: {
  version: unknown;
  children: ReactNode;
  as?: "div" | "span" | "li";
  className?: string;
}) {
  // the version last seen, not a first-render flag: StrictMode's second run of the effect changes nothing
  const seen = useRef(version);
  const [lit, setLit] = useState(false);
  useEffect(() => {
    if (Object.is(seen.current, version)) return;
    seen.current = version;
    setLit(true);
    const timer = setTimeout(() => setLit(false), 2000);
    return () => clearTimeout(timer);
  }, [version]);
  const Tag = as;
  return <Tag className={`${className} ${lit ? "changed" : ""}`.trim()} data-changed={lit ? "true" : undefined}>{children}</Tag>;
}

/** "Live" or "Reconnecting…" beside the page title. */
export function LiveIndicator() {
  const state = useConnectionState();
  const words = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Reconnecting… (updates paused)";
  return (
    <span className={`live live-${state}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" /> {words}
    </span>
  );
}
