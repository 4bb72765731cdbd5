// One review cycle on the HR dashboard: form progress per phase and department, reviews per state, the rating
// distribution before and after calibration, and the overdue forms. The progress arrives live
// (cycleProgressChanged: the API pushes it after each form started, submitted or reopened, review moved or launch,
// one push per burst; web/src/cache/dashboard.ts writes it into the cache), and the overdue forms, which the same
// writes change, are read again after it. A review's new score or calibration (cycleScoresChanged) brings the
// whole report again. (The scores event's own distribution is not selected: the API's per-event cost limit
// refuses it with every department's counts.)
import { useEffect, useMemo, useRef, useState } from "react";
import { useClient, useQuery, useSubscription } from "urql";
import { Link } from "../../router";
import { Highlight, Loading } from "../../ui/status";
import { CountBar, formatDate, SectionProblem, words } from "./parts";
import {
  CYCLE_DASHBOARD, CYCLE_PROGRESS_CHANGED, CYCLE_SCORES, type CycleDashboardData, type CycleDistribution,
  type CycleProgress, type FormCounts, OVERDUE_FORMS, type OverdueForm, type PhaseProgress,
} from "./queries";

const KIND_WORDS: Record<string, string> = { SELF: "Self review", MANAGER: "Manager review", PEER: "Peer review", UPWARD: "Upward review" };

interface ScoresEvent {
  cycleScoresChanged: { kind: string; reviewId: string; departmentId: string | null };
}

interface ProgressEvent {
  cycleProgressChanged: CycleProgress;
}

export function CycleSection({ cycleId }: { cycleId: string }) {
  const [{ data, fetching, error }, again] = useQuery<CycleDashboardData>({
    query: CYCLE_DASHBOARD,
    variables: { cycleId },
    requestPolicy: "cache-and-network",
  });
  const refetch = useRef(again);
  refetch.current = again;
  const [lastChange, setLastChange] = useState<string | null>(null);
  const [formsChanged, setFormsChanged] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const overdueTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const client = useClient();
  // each event counted (the same change twice is still two changes), then handled in an effect
  const [{ data: live }] = useSubscription<ScoresEvent, { count: number; event: ScoresEvent }>(
    { query: CYCLE_SCORES, variables: { cycleId } },
    (previous, event) => ({ count: (previous?.count ?? 0) + 1, event }),
  );
  const [{ data: progressed }] = useSubscription<ProgressEvent, number>(
    { query: CYCLE_PROGRESS_CHANGED, variables: { cycleId } },
    (previous) => (previous ?? 0) + 1,
  );
  useEffect(() => {
    if (!live) return;
    setLastChange(`${words(live.event.cycleScoresChanged.kind)} of a review, ${new Date().toLocaleTimeString("en-GB")}`);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => refetch.current({ requestPolicy: "network-only" }), 250);
  }, [live]);
  useEffect(() => {
    if (!progressed) return;
    setFormsChanged(new Date().toLocaleTimeString("en-GB"));
    // the progress itself is in the cache already; the overdue forms change with the same writes
    if (overdueTimer.current) clearTimeout(overdueTimer.current);
    overdueTimer.current = setTimeout(() => {
      void client.query(OVERDUE_FORMS, { cycleId }, { requestPolicy: "network-only" }).toPromise();
    }, 250);
  }, [progressed, client, cycleId]);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
    if (overdueTimer.current) clearTimeout(overdueTimer.current);
  }, [cycleId]);

  if (fetching && !data) return <Loading label="Loading the cycle…" />;
  const retry = () => again({ requestPolicy: "network-only" });
  if (!data) return <SectionProblem error={error} forbidden="Review cycle reports are for HR admins." retry={retry} />;
  const distribution = data.cycleDistribution;
  return (
    <>
      <p className="d-live-note muted" role="status" aria-live="polite">
        Form counts, ratings and calibrations arrive live.
        {lastChange && <> Last change: {lastChange}.</>}
        {formsChanged && <> Forms last changed at {formsChanged}.</>}
      </p>
      {error && <SectionProblem error={error} forbidden="Part of this cycle's report is for HR admins." retry={retry} />}
      <section aria-labelledby="d-progress" className="d-section">
        <h2 id="d-progress">Progress per phase</h2>
        {data.cycleProgress ? (
          <>
            <ReviewStates states={data.cycleProgress.reviewStates} />
            <p className="muted">Forms per phase, by the reviewee's department. In the bars, green is submitted and blue is in progress.</p>
            {data.cycleProgress.phases.map((phase) => (
              <PhaseTable key={phase.phase} phase={phase} />
            ))}
          </>
        ) : (
          <p className="d-note">Cycle progress is not available to you.</p>
        )}
      </section>
      <section aria-labelledby="d-distribution" className="d-section">
        <h2 id="d-distribution">Score distribution</h2>
        {distribution ? <Distribution distribution={distribution} /> : <p className="d-note">The distribution is for HR admins.</p>}
      </section>
      <section aria-labelledby="d-overdue" className="d-section">
        <h2 id="d-overdue">Overdue forms</h2>
        {data.overdueForms ? <Overdue forms={data.overdueForms} /> : <p className="d-note">Overdue forms are not available to you.</p>}
      </section>
    </>
  );
}

function total(counts: FormCounts): number {
  return counts.notStarted + counts.inProgress + counts.submitted;
}

function ReviewStates({ states }: { states: { state: string; count: number }[] }) {
  return (
    <Highlight version={JSON.stringify(states)} className="d-states">
      <h3 className="d-h3">Reviews per state</h3>
      <dl className="d-tiles">
        {states.map((state) => (
          <div key={state.state} className="d-tile" data-state={state.state}>
            <dt>{words(state.state)}</dt>
            <dd>{state.count}</dd>
          </div>
        ))}
      </dl>
    </Highlight>
  );
}

function PhaseTable({ phase }: { phase: PhaseProgress }) {
  const rows = [
    ...phase.departments.map((d) => ({ key: d.departmentId ?? "none", name: d.department?.name ?? "No department", counts: d.counts })),
    { key: "all", name: "All departments", counts: phase.counts },
  ];
  const caption = `${words(phase.phase)}: due ${formatDate(phase.deadline)}`;
  return (
    <Highlight version={JSON.stringify(phase.counts)} className="d-table-wrap">
      <table className="d-table" data-phase={phase.phase}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Department</th>
            <th scope="col">Not started</th>
            <th scope="col">In progress</th>
            <th scope="col">Submitted</th>
            <th scope="col">Share submitted</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const all = total(row.counts);
            const done = all ? Math.round((row.counts.submitted / all) * 100) : 0;
            return (
              <tr key={row.key} className={row.key === "all" ? "d-total" : undefined}>
                <th scope="row">{row.name}</th>
                <td>{row.counts.notStarted}</td>
                <td>{row.counts.inProgress}</td>
                <td>{row.counts.submitted}</td>
                <td>
                  <span className="d-stack" aria-hidden="true">
                    <span className="d-stack-submitted" style={{ width: `${all ? (row.counts.submitted / all) * 100 : 0}%` }} />
                    <span className="d-stack-progress" style={{ width: `${all ? (row.counts.inProgress / all) * 100 : 0}%` }} />
                  </span>
                  {" "}{done}% of {all}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Highlight>
  );
}

const RATING_ORDER = [1, 2, 3, 4, 5, null];

function ratingName(rating: number | null): string {
  return rating === null ? "Not rated yet" : `Rating ${rating}`;
}

function Distribution({ distribution }: { distribution: CycleDistribution }) {
  const [departmentId, setDepartmentId] = useState<string>("all");
  const chosen = departmentId === "all"
    ? distribution.total
    : distribution.departments.find((d) => (d.departmentId ?? "none") === departmentId) ?? distribution.total;
  const ratings = useMemo(() => {
    const seen = new Set<number | null>([...chosen.before, ...chosen.after].map((r) => r.rating));
    return RATING_ORDER.filter((r) => seen.has(r)).concat([...seen].filter((r) => !RATING_ORDER.includes(r)));
  }, [chosen]);
  const count = (list: { rating: number | null; count: number }[], rating: number | null) =>
    list.find((r) => r.rating === rating)?.count ?? 0;
  const max = Math.max(1, ...chosen.before.map((r) => r.count), ...chosen.after.map((r) => r.count));
  const name = departmentId === "all" ? "the whole cycle" : chosen.department?.name ?? "reviewees without a department";
  return (
    <>
      {distribution.departments.length > 1 && (
        <div className="d-field">
          <label htmlFor="d-dist-department">Department</label>
          <select id="d-dist-department" value={departmentId} onChange={(event) => setDepartmentId(event.target.value)}>
            <option value="all">Whole cycle</option>
            {distribution.departments.map((d) => (
              <option key={d.departmentId ?? "none"} value={d.departmentId ?? "none"}>{d.department?.name ?? "No department"}</option>
            ))}
          </select>
        </div>
      )}
      <Highlight version={JSON.stringify(chosen)} className="d-table-wrap">
        <table className="d-table d-distribution">
          <caption>Reviews per rating in {name}, before and after calibration</caption>
          <thead>
            <tr>
              <th scope="col">Rating</th>
              <th scope="col">Before calibration</th>
              <th scope="col">After calibration</th>
            </tr>
          </thead>
          <tbody>
            {ratings.map((rating) => (
              <tr key={String(rating)} data-rating={rating ?? "none"}>
                <th scope="row">{ratingName(rating)}</th>
                <td data-when="before"><CountBar count={count(chosen.before, rating)} max={max} /></td>
                <td data-when="after"><CountBar count={count(chosen.after, rating)} max={max} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </Highlight>
    </>
  );
}

function Overdue({ forms }: { forms: OverdueForm[] }) {
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? forms : forms.slice(0, 25);
  const byKind = new Map<string, number>();
  for (const form of forms) byKind.set(form.kind, (byKind.get(form.kind) ?? 0) + 1);
  if (forms.length === 0) return <p className="d-note">No form is overdue.</p>;
  return (
    <>
      <Highlight version={forms.length} className="d-overdue-count">
        <p>
          <strong data-overdue-count={forms.length}>{forms.length}</strong> form{forms.length === 1 ? " is" : "s are"} past
          their phase's deadline and not submitted
          {byKind.size > 0 && ` (${[...byKind.entries()].map(([kind, n]) => `${n} ${KIND_WORDS[kind]?.toLowerCase() ?? kind}`).join(", ")})`}.
        </p>
      </Highlight>
      <div className="d-table-wrap">
        <table className="d-table">
          <caption className="d-vh">Overdue forms</caption>
          <thead>
            <tr>
              <th scope="col">Reviewer</th>
              <th scope="col">About</th>
              <th scope="col">Form</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((form) => (
              <tr key={form.id}>
                <th scope="row">{form.reviewer ? <Link to={`/org/${form.reviewer.id}`}>{form.reviewer.name}</Link> : "Unknown"}</th>
                <td>
                  {form.reviewee?.name ?? "Unknown"}
                  {form.reviewee?.department && <span className="muted"> · {form.reviewee.department.name}</span>}
                </td>
                <td>{KIND_WORDS[form.kind] ?? form.kind}</td>
                <td>{words(form.state)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {forms.length > shown.length && (
        <button type="button" className="secondary" onClick={() => setShowAll(true)}>
          Show all {forms.length} overdue forms
        </button>
      )}
    </>
  );
}
