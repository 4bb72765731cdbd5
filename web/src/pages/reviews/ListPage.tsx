// The review forms the signed-in person fills in: the ones still to do first (with their deadline), then the
// submitted ones.
import { useQuery } from "urql";
import { Link } from "../../router";
import { Avatar, ErrorMessage, Loading } from "../../ui/status";
import { KIND_WORDS, type MyForm, MY_FORMS, STATE_WORDS } from "./queries";
import "./reviews.css";

const DEADLINE_PHASE: Record<string, string> = {
  SELF: "SELF_REVIEW",
  MANAGER: "MANAGER_REVIEW",
  PEER: "PEER_REVIEW",
  UPWARD: "PEER_REVIEW",
};

function deadline(form: MyForm): string | null {
  return form.cycle?.phases.find((p) => p.phase === DEADLINE_PHASE[form.kind])?.deadline ?? null;
}

function day(iso: string): string {
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function ListPage() {
  const [{ data, fetching, error }, again] = useQuery<{ myReviewForms: MyForm[] }>({ query: MY_FORMS });
  if (fetching && !data) return <Loading label="Loading your review forms…" />;
  if (error && !data) return <ErrorMessage error={error} retry={() => again({ requestPolicy: "network-only" })} />;
  const forms = data?.myReviewForms ?? [];
  const pending = forms.filter((f) => f.state !== "SUBMITTED");
  const submitted = forms.filter((f) => f.state === "SUBMITTED");
  return (
    <section className="review-list">
      <h1>My review forms</h1>
      {forms.length === 0 && <p>You have no review forms to fill in.</p>}
      {pending.length > 0 && <FormList title="To fill in" forms={pending} />}
      {submitted.length > 0 && <FormList title="Submitted" forms={submitted} />}
    </section>
  );
}

function FormList({ title, forms }: { title: string; forms: MyForm[] }) {
  return (
    <>
      <h2>{title} ({forms.length})</h2>
      <ul className="form-cards">
        {forms.map((form) => {
          const due = deadline(form);
          const about = form.reviewee?.name ?? "a colleague";
          return (
            <li key={form.id}>
              <Link to={`/reviews/${form.id}`} className="form-card">
                <Avatar name={about} id={form.reviewee?.id ?? form.id} />
                <span>
                  <span className="form-card-title">
                    {form.kind === "SELF" ? KIND_WORDS.SELF : `${KIND_WORDS[form.kind]} of ${about}`}
                  </span>
                  <span className="form-card-meta">
                    {form.cycle?.name ?? "Review"} · {STATE_WORDS[form.state]}
                    {form.state !== "SUBMITTED" && due && ` · due ${day(due)}`}
                    {form.state !== "SUBMITTED" && due && due < today() && <strong className="overdue"> (overdue)</strong>}
                  </span>
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}
