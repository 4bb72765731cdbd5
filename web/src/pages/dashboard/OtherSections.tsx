// The HR dashboard's views of the newer domains: succession risks with bench strength (growth), attrition by
// department (exits, live through attritionReportChanged), and merit cycles with their department budgets
// (compensation: the budgets are for compensation admins; others read words saying so, not an error).
import { useEffect, useRef, useState } from "react";
import { useQuery, useSubscription } from "urql";
import { Link } from "../../router";
import { Highlight, Loading } from "../../ui/status";
import { formatDate, isForbidden, LitRow, SectionProblem, share, words } from "./parts";
import {
  ATTRITION_CHANGED, ATTRITION_REPORT, type AttritionReport, type AttritionRow, DEPARTMENT_BUDGETS, type DepartmentBudget,
  MERIT_CYCLES, type MeritCycle, type Money, type Readiness, SUCCESSION_CHANGED, SUCCESSION_RISKS, type SuccessionPlan,
} from "./queries";

const READINESS_WORDS: Record<Readiness, string> = {
  READY_NOW: "ready now",
  READY_IN_1_2_YEARS: "ready in 1–2 years",
  READY_IN_3_PLUS_YEARS: "ready in 3+ years",
};

/** Refetches the risks after a change to one key position's plan (renders nothing). */
function LiveSuccession({ positionId, onChange }: { positionId: string; onChange: () => void }) {
  const [{ data }] = useSubscription<unknown, number>(
    { query: SUCCESSION_CHANGED, variables: { positionId } },
    (previous) => (previous ?? 0) + 1,
  );
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    if (data) latest.current();
  }, [data]);
  return null;
}

export function GrowthSection() {
  const [{ data, fetching, error }, again] = useQuery<{ successionRisks: SuccessionPlan[] | null }>({ query: SUCCESSION_RISKS });
  const retry = () => again({ requestPolicy: "network-only" });
  const risks = data?.successionRisks ?? null;
  return (
    <section aria-labelledby="d-growth" className="d-section">
      <h2 id="d-growth">Succession risks</h2>
      {fetching && !data && <Loading label="Loading succession plans…" />}
      <SectionProblem error={error} forbidden="Succession plans are for HR admins and the management chain above each position." retry={retry} />
      {risks && risks.slice(0, 20).map((plan) => (
        <LiveSuccession key={plan.position.id} positionId={plan.position.id} onChange={retry} />
      ))}
      {risks && risks.length === 0 && <p className="d-note">Every key position you may see has a successor ready now.</p>}
      {risks && risks.length > 0 && (
        <div className="d-table-wrap">
          <table className="d-table">
            <caption>Key positions with no successor ready now, with their bench strength</caption>
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Held by</th>
                <th scope="col">Ready now</th>
                <th scope="col">In 1–2 years</th>
                <th scope="col">In 3+ years</th>
                <th scope="col">Unknown</th>
                <th scope="col">Successors</th>
              </tr>
            </thead>
            <tbody>
              {risks.map((plan) => (
                <LitRow key={plan.position.id} version={plan.version}>
                  <th scope="row">
                    {plan.position.title}
                    {plan.position.department && <span className="muted"> · {plan.position.department.name}</span>}
                  </th>
                  <td>{plan.incumbents.length ? plan.incumbents.map((p) => p.name).join(", ") : "Vacant"}</td>
                  <td>{plan.benchStrength.readyNow}</td>
                  <td>{plan.benchStrength.readyIn12Years}</td>
                  <td>{plan.benchStrength.readyIn3PlusYears}</td>
                  <td>{plan.benchStrength.unknown}</td>
                  <td>
                    {plan.successors.length === 0 ? "None named" : (
                      <ol className="d-successors">
                        {plan.successors.map((s) => (
                          <li key={s.rank}>
                            {s.employee ? <Link to={`/org/${s.employee.id}`}>{s.employee.name}</Link> : s.externalName ?? "Someone"}
                            {" "}<span className="muted">
                              ({s.left ? "has left" : s.moved ? "now holds it" : s.readiness ? READINESS_WORDS[s.readiness] : "readiness unknown"}
                              {s.emergency ? ", emergency cover" : ""})
                            </span>
                          </li>
                        ))}
                      </ol>
                    )}
                  </td>
                </LitRow>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function figure(value: number | null, suppressed: boolean): string {
  return suppressed || value === null ? "hidden" : String(value);
}

export function ExitsSection() {
  const [{ data, fetching, error }, again] = useQuery<{ attritionReport: AttritionReport | null }>({ query: ATTRITION_REPORT });
  const [{ data: live }] = useSubscription<{ attritionReportChanged: AttritionReport }>({ query: ATTRITION_CHANGED, pause: !data?.attritionReport });
  const report = live?.attritionReportChanged ?? data?.attritionReport ?? null;
  const retry = () => again({ requestPolicy: "network-only" });
  return (
    <section aria-labelledby="d-exits" className="d-section">
      <h2 id="d-exits">Attrition</h2>
      {fetching && !data && <Loading label="Loading the attrition report…" />}
      <SectionProblem error={error} forbidden="Attrition reports are for HR admins and managers." retry={retry} />
      {report && (
        <>
          <p className="muted">
            {formatDate(report.start)} to {formatDate(report.end)}. A group with fewer than {report.k} leavers is hidden so
            that no one can be recognised; survey figures pool the last {report.windowMonths} months.
          </p>
          <Highlight version={JSON.stringify(report.total)} className="d-tiles-wrap">
            <dl className="d-tiles">
              <div className="d-tile"><dt>Leavers</dt><dd data-figure="leavers">{figure(report.total.leavers, report.total.suppressed)}</dd></div>
              <div className="d-tile"><dt>Attrition rate</dt><dd>{report.total.suppressed ? "hidden" : share(report.total.attritionRate)}</dd></div>
              <div className="d-tile"><dt>Voluntary</dt><dd>{report.total.suppressed ? "hidden" : share(report.total.voluntaryShare)}</dd></div>
              <div className="d-tile"><dt>Regretted</dt><dd>{report.total.suppressed ? "hidden" : share(report.total.regrettedShare)}</dd></div>
              <div className="d-tile">
                <dt>Would recommend (score)</dt>
                <dd>{report.total.surveySuppressed || report.total.recommendScore === null ? "hidden" : report.total.recommendScore}</dd>
              </div>
            </dl>
          </Highlight>
          <div className="d-table-wrap">
            <table className="d-table">
              <caption>Attrition per department</caption>
              <thead>
                <tr>
                  <th scope="col">Department</th>
                  <th scope="col">Headcount now</th>
                  <th scope="col">Leavers</th>
                  <th scope="col">Attrition rate</th>
                  <th scope="col">Top reasons</th>
                </tr>
              </thead>
              <tbody>
                {report.rows.map((row: AttritionRow) => (
                  <LitRow key={row.key} version={JSON.stringify(row)}>
                    <th scope="row">{row.label}</th>
                    {row.suppressed ? (
                      <td colSpan={4} className="muted">Hidden: fewer than {report.k} leavers</td>
                    ) : (
                      <>
                        <td>{row.headcountEnd ?? "–"}</td>
                        <td>{row.leavers ?? "–"}</td>
                        <td>{share(row.attritionRate)}</td>
                        <td>{row.topReasons.length ? row.topReasons.map((r) => `${words(r.category)} (${r.count})`).join(", ") : "–"}</td>
                      </>
                    )}
                  </LitRow>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function money(value: Money): string {
  const amount = Number(value.amount);
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency: value.currency, maximumFractionDigits: 0 }).format(amount);
  } catch {
    return `${value.amount} ${value.currency}`;
  }
}

export function CompensationSection({ compensationAdmin }: { compensationAdmin: boolean }) {
  const [{ data, fetching, error }, again] = useQuery<{ meritCycles: MeritCycle[] | null }>({ query: MERIT_CYCLES });
  const cycles = data?.meritCycles ?? null;
  const [chosen, setChosen] = useState<string | null>(null);
  const open = cycles?.find((c) => c.phase === "PROPOSALS" || c.phase === "REVIEW") ?? cycles?.[0] ?? null;
  const cycleId = chosen ?? open?.id ?? null;
  const retry = () => again({ requestPolicy: "network-only" });
  return (
    <section aria-labelledby="d-comp" className="d-section">
      <h2 id="d-comp">Merit cycles</h2>
      {fetching && !data && <Loading label="Loading merit cycles…" />}
      <SectionProblem error={error} forbidden="Merit cycles are for compensation admins." retry={retry} />
      {cycles && cycles.length === 0 && <p className="d-note">There is no merit cycle you may see.</p>}
      {cycles && cycles.length > 0 && (
        <>
          <div className="d-table-wrap">
            <table className="d-table">
              <caption>Merit cycles you may see</caption>
              <thead>
                <tr>
                  <th scope="col">Cycle</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Takes effect</th>
                  <th scope="col">Merit budget</th>
                  <th scope="col">People</th>
                </tr>
              </thead>
              <tbody>
                {cycles.map((cycle) => (
                  <tr key={cycle.id}>
                    <th scope="row">{cycle.name}</th>
                    <td>{words(cycle.phase)}</td>
                    <td>{formatDate(cycle.effectiveDate)}</td>
                    <td>{cycle.meritBudgetPercent}% of payroll</td>
                    <td>{cycle.eligibleCount ?? "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {compensationAdmin && cycleId ? (
            <>
              <div className="d-field">
                <label htmlFor="d-merit-cycle">Department budgets of</label>
                <select id="d-merit-cycle" value={cycleId} onChange={(event) => setChosen(event.target.value)}>
                  {cycles.map((cycle) => <option key={cycle.id} value={cycle.id}>{cycle.name}</option>)}
                </select>
              </div>
              <Budgets cycleId={cycleId} />
            </>
          ) : (
            <p className="d-note">Department budgets are shown to compensation admins only.</p>
          )}
        </>
      )}
    </section>
  );
}

function Budgets({ cycleId }: { cycleId: string }) {
  const [{ data, fetching, error }, again] = useQuery<{ departmentBudgets: DepartmentBudget[] | null }>({
    query: DEPARTMENT_BUDGETS,
    variables: { cycleId },
  });
  const budgets = data?.departmentBudgets ?? null;
  if (fetching && !data) return <Loading label="Loading the budgets…" />;
  if (error && (isForbidden(error) || !budgets)) {
    return <SectionProblem error={error} forbidden="Department budgets are shown to compensation admins only." retry={() => again({ requestPolicy: "network-only" })} />;
  }
  if (!budgets || budgets.length === 0) return <p className="d-note">This cycle has no department budgets yet.</p>;
  return (
    <div className="d-table-wrap">
      <table className="d-table">
        <caption>Department budgets (merit and promotion pools together)</caption>
        <thead>
          <tr>
            <th scope="col">Department</th>
            <th scope="col">Payroll</th>
            <th scope="col">Allocated</th>
            <th scope="col">Proposed</th>
            <th scope="col">Committed</th>
            <th scope="col">Remaining</th>
          </tr>
        </thead>
        <tbody>
          {budgets.map((budget, index) => (
            <tr key={budget.department?.id ?? index} className={budget.overBudget ? "d-over" : undefined}>
              <th scope="row">{budget.department?.name ?? "No department"}{budget.overBudget && <strong> (over budget)</strong>}</th>
              <td>{money(budget.payroll)}</td>
              <td>{money(budget.allocated)}</td>
              <td>{money(budget.proposed)}</td>
              <td>{money(budget.committed)}</td>
              <td>{money(budget.remaining)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
