// Small pieces of the goals page: a progress bar with its value in words, a goal's status, a key result's values.
import { Link } from "../../router";
import { Highlight } from "../../ui/status";
import type { Goal, GoalStatus, KeyResult } from "./queries";

export const STATUS_WORDS: Record<GoalStatus, string> = {
  ON_TRACK: "On track",
  AT_RISK: "At risk",
  OFF_TRACK: "Off track",
  DONE: "Done",
  CANCELLED: "Cancelled",
};

export const LEVEL_WORDS: Record<string, string> = {
  COMPANY: "Company goal",
  DEPARTMENT: "Department goal",
  INDIVIDUAL: "Individual goal",
};

export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined) return "–";
  return `${Math.round(share * 1000) / 10}%`;
}

/** A bar for a share from 0 to 1, named for screen readers, with the percentage as text beside it. */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const shown = Math.max(0, Math.min(1, value));
  return (
    <span className="g-progress">
      <span
        className="g-bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(shown * 1000) / 10}
        aria-valuetext={percent(shown)}
      >
        <span className="g-fill" style={{ width: `${shown * 100}%` }} />
      </span>
      <span className="g-percent">{percent(shown)}</span>
    </span>
  );
}

export function StatusBadge({ status }: { status: GoalStatus }) {
  return <span className={`g-status g-status-${status.toLowerCase()}`}>{STATUS_WORDS[status]}</span>;
}

function amount(value: number, kr: KeyResult): string {
  if (kr.metricKind === "BOOLEAN" || kr.metricKind === "MILESTONE") return value >= 1 ? "done" : "not done";
  const number = Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  if (!kr.unit) return number;
  return kr.unit === "%" ? `${number}%` : `${number} ${kr.unit}`;
}

/** "62% of 80% (from 54%)", or "done" / "not done" for a yes-or-no key result. */
export function keyResultValues(kr: KeyResult): string {
  if (kr.metricKind === "BOOLEAN" || kr.metricKind === "MILESTONE") return amount(kr.currentValue, kr);
  return `${amount(kr.currentValue, kr)} of ${amount(kr.targetValue, kr)} (from ${amount(kr.startValue, kr)})`;
}

export function owner(goal: Pick<Goal, "ownerEmployee" | "ownerDepartment">): string | null {
  return goal.ownerEmployee?.name ?? goal.ownerDepartment?.name ?? null;
}

export function formatDate(date: string): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return parsed.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

/** A goal with its key results, each bar updating (and lit briefly) as progress arrives live. */
export function GoalCard({ goal, headingLevel = 3 }: { goal: Goal; headingLevel?: 3 | 4 }) {
  const Heading = headingLevel === 3 ? "h3" : "h4";
  const who = owner(goal);
  return (
    <article className="g-card" aria-labelledby={`goal-${goal.id}`} data-goal-id={goal.id}>
      <div className="g-card-head">
        <Heading id={`goal-${goal.id}`} className="g-title">
          <Link to={`/goals/${goal.id}`}>{goal.title}</Link>
        </Heading>
        <StatusBadge status={goal.status} />
      </div>
      <p className="g-meta">
        {LEVEL_WORDS[goal.level]}
        {who && goal.level !== "INDIVIDUAL" ? ` · ${who}` : ""} · due {formatDate(goal.dueDate)}
      </p>
      <Highlight version={goal.progress} className="g-overall">
        <ProgressBar value={goal.progress} label={`Progress of ${goal.title}`} />
      </Highlight>
      {goal.keyResults.length > 0 ? (
        <ul className="g-krs">
          {goal.keyResults.map((kr) => (
            <Highlight key={kr.id} as="li" version={kr.currentValue} className="g-kr">
              <span className="g-kr-title" data-kr-id={kr.id}>{kr.title}</span>
              <span className="g-kr-values">{keyResultValues(kr)}</span>
              <ProgressBar value={kr.progress} label={`Progress of key result ${kr.title}`} />
            </Highlight>
          ))}
        </ul>
      ) : (
        <p className="muted">No key results yet.</p>
      )}
    </article>
  );
}
