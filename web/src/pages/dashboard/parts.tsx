// Pieces the dashboard's sections share: words for refusals a role simply meets, numbers in words.
import { type ReactNode, useEffect, useRef, useState } from "react";
import type { CombinedError } from "urql";
import { ErrorMessage } from "../../ui/status";

/** Whether a query was refused for the viewer's role (FORBIDDEN), as opposed to failing. */
export function isForbidden(error: CombinedError | undefined): boolean {
  return !!error?.graphQLErrors.some((e) => e.extensions?.code === "FORBIDDEN");
}

/** A refusal for the viewer's role in words (not an error), any other failure as an error with a retry. */
export function SectionProblem({ error, forbidden, retry }: { error: CombinedError | undefined; forbidden: string; retry: () => void }) {
  if (!error) return null;
  if (isForbidden(error)) return <p className="d-note">{forbidden}</p>;
  return <ErrorMessage error={error} retry={retry} />;
}

export function share(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${Math.round(value * 1000) / 10}%`;
}

export function formatDate(date: string | null | undefined): string {
  if (!date) return "no deadline";
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return parsed.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

export function words(value: string): string {
  const lower = value.replace(/_/g, " ").toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** A horizontal bar whose length shows a count; the count itself is always written beside it. */
export function CountBar({ count, max }: { count: number; max: number }) {
  const width = max > 0 ? (count / max) * 100 : 0;
  return (
    <span className="d-countbar">
      <span className="d-countbar-track" aria-hidden="true">
        <span className="d-countbar-fill" style={{ width: `${width}%` }} />
      </span>
      <span className="d-countbar-value">{count}</span>
    </span>
  );
}

/** A table row lit briefly (like ui/status Highlight, which renders no rows) when `version` changes. */
export function LitRow({ version, children }: { version: unknown; children: ReactNode }) {
  const previous = useRef(version);
  const [lit, setLit] = useState(false);
  useEffect(() => {
    if (Object.is(previous.current, version)) return;
    previous.current = version;
    setLit(true);
    const timer = setTimeout(() => setLit(false), 2000);
    return () => clearTimeout(timer);
  }, [version]);
  return <tr className={lit ? "changed" : undefined} data-changed={lit ? "true" : undefined}>{children}</tr>;
}
