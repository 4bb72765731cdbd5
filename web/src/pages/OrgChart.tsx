// Placeholder until this page is written (issue 18).
export function OrgChartPage({ employeeId }: { employeeId?: string }) {
  return (
    <section>
      <h1>Coming soon</h1>
      <p>{employeeId ?? "This page is not written yet."}</p>
    </section>
  );
}
