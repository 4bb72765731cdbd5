// One review form, live: its questions by section, answers saved as the person types, who else has it open
// and where, others' answers as they are saved, the form's and the review's score, and submitting it.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type CombinedError, useMutation, useQuery, useSubscription } from "urql";
import { describeError, type PayloadError } from "../../errors";
import { Link } from "../../router";
import { useSession } from "../../session";
import { Avatar, ErrorMessage, Highlight, Loading } from "../../ui/status";
import {
  type Answer,
  type FormChange,
  FORM_CHANGED,
  FORM_SCORE,
  KIND_WORDS,
  type Question,
  REVIEW_FORM,
  REVIEW_STATE_WORDS,
  type ReviewFormData,
  SCORE_CHANGED,
  STATE_WORDS,
  SUBMIT_FORM,
  type SubmitData,
  type Viewer,
} from "./queries";
import { QuestionField, questionDomId, refusalWords } from "./QuestionField";
import { usePresence } from "./presence";
import "./reviews.css";

export function FormPage({ formId }: { formId: string }) {
  const [{ data, fetching, error }, again] = useQuery<{ reviewForm: ReviewFormData | null }>({
    query: REVIEW_FORM,
    variables: { id: formId },
  });
  if (fetching && !data) return <Loading label="Loading the review form…" />;
  if (error && !data) return <ErrorMessage error={error} retry={() => again({ requestPolicy: "network-only" })} />;
  const form = data?.reviewForm;
  if (!form) {
    return (
      <section>
        <h1>Review form not found</h1>
        <p>
          This review form does not exist or is not yours to read. <Link to="/reviews">Back to my review forms</Link>.
        </p>
      </section>
    );
  }
  return <LiveForm form={form} reload={() => again({ requestPolicy: "network-only" })} />;
}

/** A subscription the server ended because the viewer's standing to the form changed: subscribe again. */
function endedToSubscribeAgain(error: CombinedError | undefined): boolean {
  return error?.graphQLErrors.some((e) => e.extensions?.code === "SUBSCRIBE_AGAIN") ?? false;
}

function title(form: ReviewFormData, meId: string | null): string {
  const kind = KIND_WORDS[form.kind];
  if (form.kind === "SELF") return form.reviewee && form.reviewee.id !== meId ? `${kind} of ${form.reviewee.name}` : kind;
  return `${kind} of ${form.reviewee?.name ?? "a colleague"}`;
}

function LiveForm({ form, reload }: { form: ReviewFormData; reload: () => void }) {
  const session = useSession();
  const meId = session?.employee.id ?? null;
  const presence = usePresence(form.id);
  const [, refetchScore] = useQuery({ query: FORM_SCORE, variables: { id: form.id }, pause: true });
  const [lastChange, setLastChange] = useState<FormChange | null>(null);
  // The answers this tab wrote (question:version): a change among them is this tab's own save coming back;
  // any other (someone else's, or this person's on another device) is shown as news and rescored.
  const written = useRef(new Set<string>());
  const [changes, changesAgain] = useSubscription<{ reviewFormChanged: FormChange }>(
    { query: FORM_CHANGED, variables: { formId: form.id } },
    (_previous, event) => {
      const change = event.reviewFormChanged;
      if (change.kind !== "answer") {
        reload(); // submitted or reopened: who may answer changed too
        if (change.byId !== meId) setLastChange(change);
        return event;
      }
      if (written.current.has(`${change.questionId}:${change.version}`)) return event;
      // the answer itself reaches the cache (src/cache/reviews.ts); the form's score is read again
      refetchScore({ requestPolicy: "network-only" });
      setLastChange(change);
      return event;
    },
  );
  const scoreVisible = form.review !== null && form.review.score !== null;
  const [scores, scoresAgain] = useSubscription<{ scoreChanged: { kind: string } }>(
    { query: SCORE_CHANGED, variables: { reviewId: form.review?.id ?? "" }, pause: !scoreVisible },
    (_previous, event) => {
      if (event.scoreChanged.kind === "state") reload(); // the review moved: who may answer may have changed
      return event;
    },
  );
  useEffect(() => {
    if (!endedToSubscribeAgain(changes.error)) return;
    reload();
    changesAgain();
  }, [changes.error]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (!endedToSubscribeAgain(scores.error)) return;
    reload();
    scoresAgain();
  }, [scores.error]); // eslint-disable-line react-hooks/exhaustive-deps

  const answers = useMemo(() => new Map(form.answers.map((a) => [a.questionId, a])), [form.answers]);
  const byKey = useMemo(() => new Map(form.questions.map((q) => [q.key, q])), [form.questions]);
  const sections = useMemo(() => sectionsOf(form), [form]);

  const flushes = useRef(new Map<string, () => Promise<void>>());
  const register = useCallback((key: string, flush: (() => Promise<void>) | null) => {
    if (flush) flushes.current.set(key, flush);
    else flushes.current.delete(key);
  }, []);
  const [missing, setMissing] = useState<string[]>([]);
  const onSaved = useCallback((answer: Answer) => {
    written.current.add(`${answer.questionId}:${answer.version}`);
    setMissing([]);
  }, []);

  const others = presence.viewers.filter((v) => v.sessionId !== presence.sessionId);
  const isReviewer = form.reviewer?.id === meId;
  const liveError = [changes.error, presence.error, scores.error].find((e) => e && !endedToSubscribeAgain(e));

  return (
    <section className="review-form" aria-labelledby="review-form-title">
      <p className="crumbs"><Link to="/reviews">My review forms</Link></p>
      <h1 id="review-form-title">{title(form, meId)}</h1>
      <p className="form-meta">
        {form.cycle?.name ?? "Review"} · {form.template?.name ?? ""}
        {form.reviewer && form.kind !== "SELF" && <> · written by {form.reviewer.name}</>}
        {" · "}
        <Highlight as="span" version={form.state} className="state">{STATE_WORDS[form.state]}</Highlight>
        {form.review && <> · review in {REVIEW_STATE_WORDS[form.review.state] ?? form.review.state}</>}
      </p>
      {liveError && <ErrorMessage error={`Live updates stopped: ${describeError(liveError)}`} />}
      <div className="review-layout">
        <aside className="review-side" aria-label="Who is here and the score">
          <PresenceList viewers={presence.viewers} mine={presence.sessionId} questions={byKey} />
          <Scores form={form} />
          {lastChange?.by && lastChange.kind === "answer" && (
            <p className="muted last-change" role="status">
              {lastChange.by.name} just saved an answer to “{byKey.get(lastChange.questionId ?? "")?.text ?? "a question"}”
            </p>
          )}
        </aside>
        <div className="review-questions">
          {!form.canEdit && (
            <p className="notice">
              {form.state === "SUBMITTED" ? "This form has been submitted; it can no longer be changed." :
                "You can read this form but not answer it."}
            </p>
          )}
          {sections.map((section) => (
            <section key={section.id} className="review-section" aria-labelledby={`s-${section.key}`}>
              <h2 id={`s-${section.key}`}>{section.title}</h2>
              <ol className="questions">
                {section.questions.map((question) => (
                  <QuestionField key={question.id} formId={form.id} question={question}
                    stored={answers.get(question.key)} canEdit={form.canEdit} meId={meId}
                    others={others.filter((v) => v.questionId === question.key)}
                    missing={missing.includes(question.key)} goals={form.goals}
                    onFocusQuestion={presence.moveTo} register={register} onSaved={onSaved} />
                ))}
              </ol>
            </section>
          ))}
          {isReviewer && form.state !== "SUBMITTED" && (
            <Submit form={form} questions={byKey} flush={() => Promise.all([...flushes.current.values()].map((f) => f()))}
              onMissing={setMissing} />
          )}
        </div>
      </div>
    </section>
  );
}

/** The template's sections with the questions this form asks, in template order (questions the template's
 * sections do not list go last, under "Other questions"). */
function sectionsOf(form: ReviewFormData): { id: string; key: string; title: string; questions: Question[] }[] {
  const byKey = new Map(form.questions.map((q) => [q.key, q]));
  const placed = new Set<string>();
  const sections = (form.template?.sections ?? []).map((section) => {
    const questions = section.questions.map((q) => byKey.get(q.key)).filter((q): q is Question => q !== undefined);
    questions.forEach((q) => placed.add(q.key));
    return { id: section.id, key: section.key, title: section.title, questions };
  }).filter((section) => section.questions.length > 0);
  const rest = form.questions.filter((q) => !placed.has(q.key));
  if (rest.length > 0) sections.push({ id: `${form.id}:other`, key: "other", title: "Other questions", questions: rest });
  return sections;
}

function PresenceList({ viewers, mine, questions }: { viewers: Viewer[]; mine: string; questions: Map<string, Question> }) {
  return (
    <div className="presence card">
      <h2>On this form now</h2>
      <ul aria-live="polite">
        {viewers.length === 0 && <li className="muted">Connecting…</li>}
        {viewers.map((viewer) => {
          const name = viewer.employee?.name ?? "Someone";
          const where = viewer.questionId ? `on “${questions.get(viewer.questionId)?.text ?? viewer.questionId}”` : "viewing";
          return (
            <li key={viewer.sessionId} data-session={viewer.sessionId === mine ? "mine" : "other"}>
              <Avatar name={name} id={viewer.employeeId} size="sm" />
              <span className="presence-who">
                <span className="presence-name">{viewer.sessionId === mine ? `${name} (you)` : name}</span>
                <span className="presence-where"> {where}</span>
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function number(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? "not scored yet" : value.toFixed(digits).replace(/\.?0+$/, "");
}

function Scores({ form }: { form: ReviewFormData }) {
  const scale = form.template ? ` of ${form.template.scaleMax}` : "";
  const score = form.score;
  const review = form.review;
  return (
    <div className="scores card">
      <h2>Score</h2>
      <dl>
        <dt>This form</dt>
        <dd>
          <Highlight as="span" version={`${score?.value}-${score?.provisional}`} className="score-form">
            {score ? `${number(score.value)}${score.value !== null ? scale : ""}` : "no rated questions"}
            {score?.provisional && " (provisional)"}
          </Highlight>
          {score && score.missingRequired.length > 0 && (
            <span className="muted score-note">
              {" "}{score.missingRequired.length} required question{score.missingRequired.length === 1 ? "" : "s"} unanswered
            </span>
          )}
        </dd>
        {review?.score && (
          <>
            <dt>The whole review</dt>
            <dd>
              <Highlight as="span" version={`${review.score.value}-${review.score.provisional}`} className="score-review">
                {number(review.score.value)}{review.score.value !== null ? scale : ""}
                {review.score.provisional && " (provisional)"}
              </Highlight>
            </dd>
            <dt>Final rating</dt>
            <dd>
              <Highlight as="span" version={review.finalRating} className="score-final">
                {review.finalRating === null ? "not rated yet" : `${review.finalRating}${scale}`}
                {review.calibration && " (calibrated)"}
              </Highlight>
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

function Submit({ form, questions, flush, onMissing }: {
  form: ReviewFormData;
  questions: Map<string, Question>;
  flush: () => Promise<unknown>;
  onMissing: (keys: string[]) => void;
}) {
  const [state, submit] = useMutation<SubmitData>(SUBMIT_FORM);
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function send() {
    setFailure(null);
    await flush(); // what is still waiting for the typing pause is saved first
    const result = await submit({ formId: form.id });
    const payload = result.data?.submitReviewForm;
    if (!payload) {
      setFailure(describeError(result.error) ?? "The form could not be submitted.");
      return;
    }
    setErrors(payload.errors);
    const missing = payload.errors.filter((e) => e.code === "REQUIRED" && e.field?.startsWith("answers."))
      .map((e) => e.field!.slice("answers.".length));
    onMissing(missing);
    if (payload.errors.length === 0) setDone(true);
    else if (missing.length > 0) document.getElementById("submit-refusal")?.focus();
  }

  const missing = errors.filter((e) => e.code === "REQUIRED" && e.field?.startsWith("answers."));
  const other = errors.filter((e) => !missing.includes(e));
  return (
    <div className="submit card">
      <h2>Submit</h2>
      <p className="muted">Once submitted, the form is read-only (an HR admin can reopen it).</p>
      {missing.length > 0 && (
        <div className="error" role="alert" id="submit-refusal" tabIndex={-1}>
          <p>
            The form was not submitted: {missing.length === 1 ? "one required question needs" :
              `${missing.length} required questions need`} an answer first.
          </p>
          <ul>
            {missing.map((error) => {
              const key = error.field!.slice("answers.".length);
              const question = questions.get(key);
              return (
                <li key={key}>
                  <a href={`#${questionDomId(key)}`} onClick={(event) => {
                    event.preventDefault();
                    document.getElementById(questionDomId(key))?.focus();
                  }}>
                    {question?.text ?? key}
                  </a>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {other.length > 0 && (
        <ul className="error" role="alert">
          {other.map((error, index) => <li key={index}>The form was not submitted: {refusalWords(error)}</li>)}
        </ul>
      )}
      {failure && <ErrorMessage error={failure} />}
      {done && <p className="ok" role="status">The form has been submitted.</p>}
      <button type="button" onClick={() => void send()} disabled={state.fetching}>
        {state.fetching ? "Submitting…" : "Submit the form"}
      </button>
    </div>
  );
}
