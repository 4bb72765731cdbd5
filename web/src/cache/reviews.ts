// The review form page's cache updates: an answer someone else saved (reviewFormChanged) goes into the form's
// cached answers, so every view of the form shows it; a submission or reopening changes the form's state.
// Answers have no id of their own (they live inside their form), hence the explicit update.
import type { Cache, UpdateResolver } from "@urql/exchange-graphcache";
import { gql } from "urql";
import { ANSWER_FIELDS, type Answer, type FormChange } from "../pages/reviews/queries";

const ANSWERS = gql(`fragment ReviewFormAnswers on ReviewForm { id answers { ${ANSWER_FIELDS} } }`);
const STATE = gql(`fragment ReviewFormState on ReviewForm { id state }`);

type Cached = { __typename: "ReviewAnswer" } & Answer;

/** Puts one answer of a change into the cached form (an older version than the one cached is ignored). */
export function applyFormChange(cache: Cache, change: FormChange): void {
  cache.writeFragment(STATE, { __typename: "ReviewForm", id: change.formId, state: change.state });
  if (change.kind !== "answer" || !change.questionId || change.version == null) return;
  const form = cache.readFragment(ANSWERS, { id: change.formId }) as { answers: Cached[] } | null;
  if (!form) return; // the form is not cached (nobody shows it): nothing to keep up to date
  const answer: Cached = {
    __typename: "ReviewAnswer",
    questionId: change.questionId,
    value: change.value,
    version: change.version,
    byId: change.byId,
    at: change.at,
    by: change.by ? { __typename: "Employee", ...change.by } as Answer["by"] : null,
  };
  const index = form.answers.findIndex((a) => a.questionId === change.questionId);
  if (index >= 0 && form.answers[index].version >= change.version) return;
  const answers = index >= 0 ? form.answers.map((a, i) => (i === index ? answer : a)) : [...form.answers, answer];
  cache.writeFragment(ANSWERS, { __typename: "ReviewForm", id: change.formId, answers });
}

export const updates: Record<string, Record<string, UpdateResolver>> = {
  Subscription: {
    reviewFormChanged(result, _args, cache) {
      const change = (result as { reviewFormChanged?: FormChange }).reviewFormChanged;
      if (change) applyFormChange(cache, change);
    },
  },
};
