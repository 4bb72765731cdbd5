// The HR dashboard (HR admins): a review cycle's progress per phase and department, its score distribution
// before and after calibration and its overdue forms, updating live; then succession risks, attrition and merit
// cycles. Anyone else reads "HR admins only" and nothing is queried for them.
import { useState } from "react";
import { useQuery } from "urql";
import { Link } from "../router";
import { ErrorMessage, Loading } from "../ui/status";
import { CycleSection } from "./dashboard/CycleSection";
import { CompensationSection, ExitsSection, GrowthSection } from "./dashboard/OtherSections";
import { formatDate, words } from "./dashboard/parts";
import { CYCLES, type ReviewCycle } from "./dashboard/queries";
import "./dashboard/dashboard.css";

export function DashboardPage({ me }: { me: { roles: string[] | null } | null }) {
  if (!me) return <Loading label="Checking who you are…" />;
  const roles = me.roles ?? [];
  if (!roles.includes("HR_ADMIN")) {
    return (
      <section>
        <h1>HR dashboard</h1>
        <p className="d-note" role="note">
          HR admins only. This dashboard reports on the whole organisation; ask your HR team for what you need,
          or see <Link to="/goals">your team's goals</Link>.
        </p>
      </section>
    );
  }
  return <HrDashboard compensationAdmin={roles.includes("COMPENSATION_ADMIN")} />;
}

function HrDashboard({ compensationAdmin }: { compensationAdmin: boolean }) {
  const [{ data, fetching, error }, again] = useQuery<{ reviewCycles: ReviewCycle[] }>({ query: CYCLES });
  const cycles = data?.reviewCycles ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const current = cycles.find((c) => c.status === "ACTIVE") ?? cycles[0] ?? null;
  const cycleId = chosen ?? current?.id ?? null;
  const cycle = cycles.find((c) => c.id === cycleId) ?? null;
  return (
    <section className="dashboard">
      <h1>HR dashboard</h1>
      <section aria-labelledby="d-cycle" className="d-section">
        <h2 id="d-cycle">Review cycle</h2>
        {fetching && !data && <Loading label="Loading review cycles…" />}
        {error && !data && <ErrorMessage error={error} retry={() => again({ requestPolicy: "network-only" })} />}
        {data && cycles.length === 0 && <p className="d-note">No review cycle has been created yet.</p>}
        {cycle && (
          <>
            <div className="d-field">
              <label htmlFor="d-cycle-choice">Cycle</label>
              <select id="d-cycle-choice" value={cycle.id} onChange={(event) => setChosen(event.target.value)}>
                {cycles.map((c) => (
                  <option key={c.id} value={c.id}>{c.name} ({words(c.status)})</option>
                ))}
              </select>
            </div>
            <p className="muted">
              {words(cycle.status)} · reviews the period {formatDate(cycle.periodStart)} to {formatDate(cycle.periodEnd)}
            </p>
          </>
        )}
      </section>
      {cycle && <CycleSection key={cycle.id} cycleId={cycle.id} />}
      <GrowthSection />
      <ExitsSection />
      <CompensationSection compensationAdmin={compensationAdmin} />
    </section>
  );
}
