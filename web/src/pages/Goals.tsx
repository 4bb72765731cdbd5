// Placeholder until this page is written (issue 18).
export function GoalsPage({ goalId }: { goalId?: string }) {
  return (
    <section>
      <h1>Coming soon</h1>
      <p>{goalId ?? "This page is not written yet."}</p>
    </section>
  );
}
