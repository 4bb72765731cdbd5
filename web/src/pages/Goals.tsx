// Goals: my goals and my team's with their key results' progress updating live (goalProgressChanged), the
// alignment tree, and one goal's own page (/goals/<goalId>) where its editors record a key result's progress.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useQuery, useSubscription } from "urql";
import { Link } from "../router";
import { ErrorMessage, Highlight, Loading } from "../ui/status";
import { AlignmentTree } from "./goals/AlignmentTree";
import { GoalDetail } from "./goals/GoalDetail";
import { formatDate, GoalCard, percent, ProgressBar, StatusBadge } from "./goals/parts";
import { GOAL_PROGRESS, GOALS_OVERVIEW, type GoalsOverviewData, type ParentLink } from "./goals/queries";
import "./goals/goals.css";

// The API takes at most 50 live operations per connection: the first 40 direct reports' goals are followed live
// (besides your own and the alignment tree's root); a larger team's others show as of the page's last load.
const LIVE_TEAM_MEMBERS = 40;

export function GoalsPage({ goalId }: { goalId?: string }) {
  if (goalId) return <GoalDetail goalId={goalId} />;
  return <GoalsOverview />;
}

/** Follows the goals one person owns (or one goal); renders nothing (the events update the cache). */
export function LiveGoals({ ownerId, goalId, onEvent }: { ownerId?: string; goalId?: string; onEvent?: () => void }) {
  const [{ data }] = useSubscription<unknown, number>(
    { query: GOAL_PROGRESS, variables: ownerId ? { ownerId } : { goalId } },
    (count) => (count ?? 0) + 1,
  );
  const latest = useRef(onEvent);
  latest.current = onEvent;
  useEffect(() => {
    if (data) latest.current?.();
  }, [data]);
  return null;
}

function topOf(link: ParentLink): ParentLink {
  let top = link;
  while (top.parent) top = top.parent;
  return top;
}

function GoalsOverview() {
  const [{ data, fetching, error }, again] = useQuery<GoalsOverviewData>({ query: GOALS_OVERVIEW });
  const me = data?.me ?? null;
  const team = data?.myTeamGoals ?? [];
  // The roots offered for the alignment tree: the highest goal (that you see) above each of your goals, then
  // the company goals.
  const roots = useMemo(() => {
    const found = new Map<string, string>();
    for (const goal of me?.goals ?? []) {
      if (goal.parent) {
        const top = topOf(goal.parent);
        found.set(top.id, top.title);
      }
    }
    for (const edge of data?.companyGoals.edges ?? []) {
      if (!found.has(edge.node.id)) found.set(edge.node.id, edge.node.title);
    }
    return [...found.entries()].map(([id, title]) => ({ id, title }));
  }, [me?.goals, data?.companyGoals]);
  const mine = useMemo(() => new Set((me?.goals ?? []).map((goal) => goal.id)), [me?.goals]);
  const [chosenRoot, setRoot] = useState<string | null>(null);
  // a team member's goal moved: their summary (counts, mean progress) is read again, once for a burst of events
  const refresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshTeam = useCallback(() => {
    if (refresh.current) clearTimeout(refresh.current);
    refresh.current = setTimeout(() => again({ requestPolicy: "network-only" }), 300);
  }, [again]);
  useEffect(() => () => {
    if (refresh.current) clearTimeout(refresh.current);
  }, []);
  const rootId = chosenRoot ?? roots[0]?.id ?? null;

  if (fetching && !data) return <Loading label="Loading goals…" />;
  if (error && !data) return <ErrorMessage error={error} retry={() => again({ requestPolicy: "network-only" })} />;
  if (!me) return <ErrorMessage error="Your employee record could not be found." />;
  return (
    <section className="goals">
      <h1>Goals</h1>
      <LiveGoals ownerId={me.id} />
      {team.slice(0, LIVE_TEAM_MEMBERS).map((member) => (
        <LiveGoals key={member.employee.id} ownerId={member.employee.id} onEvent={refreshTeam} />
      ))}
      {error && <ErrorMessage error={error} />}

      <section aria-labelledby="my-goals">
        <h2 id="my-goals">My goals</h2>
        {me.goals.length === 0 ? (
          <p className="muted">You have no goals yet.</p>
        ) : (
          <div className="g-cards">
            {me.goals.map((goal) => (
              <GoalCard key={goal.id} goal={goal} />
            ))}
          </div>
        )}
      </section>

      {team.length > 0 && (
        <section aria-labelledby="team-goals">
          <h2 id="team-goals">My team's goals</h2>
          {team.length > LIVE_TEAM_MEMBERS && (
            <p className="muted">
              The goals of your first {LIVE_TEAM_MEMBERS} direct reports update live; reload the page for the others'.
            </p>
          )}
          <div className="g-table-wrap">
            <table className="g-table">
              <caption className="g-vh">Goals of your direct reports</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Goals</th>
                  <th scope="col">Mean progress</th>
                  <th scope="col">At risk</th>
                  <th scope="col">Off track</th>
                </tr>
              </thead>
              <tbody>
                {team.map((member) => (
                  <tr key={member.employee.id} data-employee-id={member.employee.id}>
                    <th scope="row">
                      <a href={`#team-${member.employee.id}`}>{member.employee.name}</a>
                    </th>
                    <td>{member.goalCount}</td>
                    <td>{percent(member.meanProgress)}</td>
                    <td>{member.atRiskCount}</td>
                    <td>{member.offTrackCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {team.filter((member) => member.goals.length > 0).map((member) => (
            <section key={member.employee.id} id={`team-${member.employee.id}`} aria-labelledby={`team-h-${member.employee.id}`}>
              <h3 id={`team-h-${member.employee.id}`}>
                <Link to={`/org/${member.employee.id}`}>{member.employee.name}</Link>
                {member.employee.title && <span className="g-h-meta">{member.employee.title}</span>}
              </h3>
              <ul className="g-team-goals">
                {member.goals.map((goal) => (
                  <li key={goal.id} data-goal-id={goal.id}>
                    <Link to={`/goals/${goal.id}`} className="g-team-title">{goal.title}</Link>
                    <StatusBadge status={goal.status} />
                    <span className="g-meta">due {formatDate(goal.dueDate)}</span>
                    <Highlight version={goal.progress} className="g-overall g-team-bar">
                      <ProgressBar value={goal.progress} label={`Progress of ${goal.title}`} />
                    </Highlight>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </section>
      )}

      <section aria-labelledby="alignment">
        <h2 id="alignment">Alignment</h2>
        {rootId === null ? (
          <p className="muted">There is no goal to align with yet.</p>
        ) : (
          <>
            <div className="g-field">
              <label htmlFor="tree-root">Show the goals aligned below</label>
              <select id="tree-root" value={rootId} onChange={(event) => setRoot(event.target.value)}>
                {roots.map((root) => (
                  <option key={root.id} value={root.id}>{root.title}</option>
                ))}
              </select>
            </div>
            <LiveGoals goalId={rootId} />
            <AlignmentTree key={rootId} rootGoalId={rootId} mine={mine}
                           label={`Goals aligned below ${roots.find((root) => root.id === rootId)?.title ?? "the goal"}`} />
          </>
        )}
      </section>
    </section>
  );
}
