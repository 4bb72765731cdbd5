// One goal's page: its key results (each editable by the goal's editors: record a new value with a comment),
// its progress history, the goals it is aligned to and the tree below it, all updating live.
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { useMutation, useQuery, useSubscription } from "urql";
import { describeError } from "../../errors";
import { Link } from "../../router";
import { ErrorMessage, Highlight, Loading, PayloadErrors } from "../../ui/status";
import { AlignmentTree } from "./AlignmentTree";
import {
  formatDate, keyResultValues, LEVEL_WORDS, owner, percent, ProgressBar, StatusBadge,
} from "./parts";
import {
  GOAL_DETAIL, GOAL_DETAIL_PROGRESS, type GoalDetailData, type KeyResult, type ParentLink, type PayloadResult,
  RECORD_PROGRESS,
} from "./queries";

function chain(parent: ParentLink | null): ParentLink[] {
  const links: ParentLink[] = [];
  for (let link = parent; link; link = link.parent ?? null) links.push(link);
  return links.reverse();
}

export function GoalDetail({ goalId }: { goalId: string }) {
  const [{ data, fetching, error }, again] = useQuery<GoalDetailData>({ query: GOAL_DETAIL, variables: { id: goalId } });
  useSubscription({ query: GOAL_DETAIL_PROGRESS, variables: { goalId } });
  const goal = data?.goal ?? null;
  const parents = useMemo(() => chain(goal?.parent ?? null), [goal?.parent]);
  const mine = useMemo(() => new Set<string>(), []);
  if (fetching && !data) return <Loading label="Loading the goal…" />;
  if (error && !data) return <ErrorMessage error={error} retry={() => again({ requestPolicy: "network-only" })} />;
  if (!goal) {
    return (
      <section>
        <h1>Goal not found</h1>
        <p>This goal does not exist, was archived, or you may not see it. <Link to="/goals">Back to goals</Link>.</p>
      </section>
    );
  }
  const who = owner(goal);
  const history = [...goal.progressHistory].reverse().slice(0, 20);
  return (
    <section className="goals goal-detail">
      <p><Link to="/goals">← All goals</Link></p>
      {parents.length > 0 && (
        <nav aria-label="Aligned to" className="g-crumbs">
          <span className="muted">Aligned to: </span>
          <ol>
            {parents.map((link) => (
              <li key={link.id}><Link to={`/goals/${link.id}`}>{link.title}</Link></li>
            ))}
          </ol>
        </nav>
      )}
      <h1>{goal.title} <StatusBadge status={goal.status} /></h1>
      <p className="g-meta">
        {LEVEL_WORDS[goal.level]}{who ? ` · ${who}` : ""} · {formatDate(goal.startDate)} to {formatDate(goal.dueDate)}
        {goal.rollUpChildren ? " · progress includes the goals aligned below it" : ""}
      </p>
      {goal.description && <p className="g-description">{goal.description}</p>}
      <Highlight version={goal.progress} className="g-overall g-overall-big">
        <ProgressBar value={goal.progress} label={`Progress of ${goal.title}`} />
      </Highlight>
      {error && <ErrorMessage error={error} />}

      <h2>Key results</h2>
      {goal.keyResults.length === 0 ? (
        <p className="muted">This goal has no key results yet.</p>
      ) : (
        <ul className="g-kr-list">
          {goal.keyResults.map((kr) => (
            <KeyResultRow key={kr.id} kr={kr} canEdit={goal.canEdit} />
          ))}
        </ul>
      )}
      {!goal.canEdit && <p className="muted">Only the goal's owner, their managers and HR admins record progress on it.</p>}

      <h2>Progress history</h2>
      {history.length === 0 ? (
        <p className="muted">No progress recorded yet.</p>
      ) : (
        <ol className="g-history">
          {history.map((entry) => (
            <li key={entry.id}>
              <span className="g-history-when">{new Date(entry.at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}</span>
              {" "}<strong>{entry.keyResultTitle}</strong>: {entry.oldValue === null ? "" : `${entry.oldValue} → `}{entry.newValue}
              {entry.by && <> by {entry.by.name}</>}
              {entry.comment && <span className="g-history-comment"> “{entry.comment}”</span>}
            </li>
          ))}
        </ol>
      )}

      <h2>Aligned below this goal</h2>
      <AlignmentTree rootGoalId={goal.id} mine={mine} label={`Goals aligned below ${goal.title}`} />
    </section>
  );
}

function KeyResultRow({ kr, canEdit }: { kr: KeyResult; canEdit: boolean }) {
  const yesNo = kr.metricKind === "BOOLEAN" || kr.metricKind === "MILESTONE";
  const [value, setValue] = useState(String(kr.currentValue));
  const [comment, setComment] = useState("");
  const [result, record] = useMutation<{ updateKeyResultProgress: PayloadResult }>(RECORD_PROGRESS);
  const [saved, setSaved] = useState(false);
  const [dirty, setDirty] = useState(false);
  // a value recorded elsewhere replaces the one shown, unless the person is typing a new one
  useEffect(() => {
    if (!dirty) setValue(String(kr.currentValue));
  }, [kr.currentValue]); // eslint-disable-line react-hooks/exhaustive-deps
  const payload = result.data?.updateKeyResultProgress;
  const errors = payload?.errors ?? [];
  const inputId = `kr-value-${kr.id}`;
  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const number = Number(value);
    if (value.trim() === "" || !Number.isFinite(number)) return;
    const answer = await record({ keyResultId: kr.id, value: number, comment: comment.trim() || null });
    if (!answer.error && (answer.data?.updateKeyResultProgress.errors.length ?? 1) === 0) {
      setSaved(true);
      setDirty(false);
      setComment("");
    }
  }
  const invalidNumber = value.trim() === "" || !Number.isFinite(Number(value));
  return (
    <Highlight as="li" version={kr.currentValue} className="g-kr-item">
      <div className="g-kr-head">
        <h3 className="g-kr-name">{kr.title}</h3>
        <span className="g-kr-values">{keyResultValues(kr)}</span>
      </div>
      <ProgressBar value={kr.progress} label={`Progress of key result ${kr.title}`} />
      <p className="g-meta">Weight {kr.weight} · {percent(kr.progress)} of the way from start to target</p>
      {canEdit && (
        <form className="g-record" onSubmit={submit} aria-label={`Record progress on ${kr.title}`}>
          <div className="g-field">
            <label htmlFor={inputId}>New value{kr.unit ? ` (${kr.unit})` : ""}</label>
            {yesNo ? (
              <select id={inputId} value={value} onChange={(event) => { setValue(event.target.value); setDirty(true); }}>
                <option value="0">Not done</option>
                <option value="1">Done</option>
              </select>
            ) : (
              <input id={inputId} type="number" step="any" inputMode="decimal" value={value}
                     aria-invalid={invalidNumber || errors.some((e) => e.field === "value") ? true : undefined}
                     aria-describedby={`${inputId}-hint`}
                     onChange={(event) => { setValue(event.target.value); setDirty(true); setSaved(false); }} />
            )}
            <span id={`${inputId}-hint`} className="g-hint">
              {kr.metricKind === "PERCENTAGE" ? "0 to 100." : yesNo ? "" : `Target ${kr.targetValue}.`}
              {invalidNumber && !yesNo ? " Enter a number." : ""}
            </span>
          </div>
          <div className="g-field g-field-grow">
            <label htmlFor={`kr-comment-${kr.id}`}>Comment (optional)</label>
            <input id={`kr-comment-${kr.id}`} type="text" maxLength={5000} value={comment}
                   onChange={(event) => setComment(event.target.value)} />
          </div>
          <button type="submit" disabled={result.fetching || invalidNumber}>
            {result.fetching ? "Saving…" : "Record"}
          </button>
          <span role="status" aria-live="polite" className="g-saved">{saved ? "Saved." : ""}</span>
        </form>
      )}
      {result.error && <ErrorMessage error={describeError(result.error)} />}
      <PayloadErrors errors={errors} />
    </Highlight>
  );
}
