// Placeholder until this page is written (issue 18).
export function DashboardPage({ me }: { me: { roles: string[] | null } | null }) {
  return (
    <section>
      <h1>HR dashboard</h1>
      <p>{me?.roles?.includes("HR_ADMIN") ? "This page is not written yet." : "HR admins only."}</p>
    </section>
  );
}
