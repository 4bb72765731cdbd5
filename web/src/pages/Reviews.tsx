// Placeholder until this page is written (issue 18).
export function ReviewsPage({ formId }: { formId?: string }) {
  return (
    <section>
      <h1>Coming soon</h1>
      <p>{formId ?? "This page is not written yet."}</p>
    </section>
  );
}
