// The review pages' GraphQL documents and the shapes they return (schema.graphql is the reference).
import type { PayloadError } from "../../errors";

export type ReviewerKind = "SELF" | "MANAGER" | "PEER" | "UPWARD";
export type FormState = "NOT_STARTED" | "IN_PROGRESS" | "SUBMITTED";
export type QuestionKind = "RATING" | "TEXT" | "CHOICE" | "COMPETENCY" | "GOALS";
/** A stored answer as the API returns it: a number, a text, an option, or goal id → rating. */
export type AnswerValue = number | string | Record<string, number> | null;

export interface Person {
  id: string;
  name: string;
}

export interface Answer {
  questionId: string;
  value: AnswerValue;
  version: number;
  byId: string | null;
  at: string | null;
  by: Person | null;
}

export interface Question {
  id: string;
  key: string;
  kind: QuestionKind;
  text: string;
  required: boolean;
  labels: { label: string; value: number }[];
  options: string[];
  expectedLevel: number | null;
  competency: { id: string; name: string; levels: { level: number; description: string }[] } | null;
}

export interface Section {
  id: string;
  key: string;
  title: string;
  questions: { id: string; key: string }[];
}

export interface FormScore {
  value: number | null;
  provisional: boolean;
  ratedAnswers: number;
  missingRequired: string[];
}

export interface ReviewScore {
  value: number | null;
  provisional: boolean;
  rating: number | null;
}

export interface ReviewSummary {
  id: string;
  state: string;
  finalRating: number | null;
  score: ReviewScore | null;
  calibration: { rating: number } | null;
}

export interface ReviewFormData {
  id: string;
  kind: ReviewerKind;
  state: FormState;
  revision: number;
  canEdit: boolean;
  submittedAt: string | null;
  reviewer: Person | null;
  reviewee: Person | null;
  cycle: { id: string; name: string } | null;
  review: ReviewSummary | null;
  template: { id: string; name: string; scaleMin: number; scaleMax: number; sections: Section[] } | null;
  questions: Question[];
  answers: Answer[];
  score: FormScore | null;
  goals: { id: string; goalId: string; title: string }[];
}

// Kept identical wherever answers are read or written, so the cache updates of src/cache/reviews.ts can read
// and write the same fields the form page reads.
export const ANSWER_FIELDS = "questionId value version byId at by { id name }";
const SCORE_FIELDS = "score { value provisional ratedAnswers missingRequired }";
const REVIEW_FIELDS = "review { id state finalRating score { value provisional rating } calibration { rating } }";

export const REVIEW_FORM = `query ReviewForm($id: ID!) {
  reviewForm(id: $id) {
    id kind state revision canEdit submittedAt
    reviewer { id name } reviewee { id name } cycle { id name }
    ${REVIEW_FIELDS}
    template { id name scaleMin scaleMax sections { id key title questions { id key } } }
    questions {
      id key kind text required labels { label value } options expectedLevel
      competency { id name levels { level description } }
    }
    answers { ${ANSWER_FIELDS} }
    ${SCORE_FIELDS}
    goals { id goalId title }
  }
}`;

/** The form's own score again (after someone else's answer: the subscription carries the answer, not this). */
export const FORM_SCORE = `query ReviewFormScore($id: ID!) { reviewForm(id: $id) { id revision ${SCORE_FIELDS} } }`;

export const MY_FORMS = `query MyReviewForms {
  myReviewForms {
    id kind state submittedAt
    reviewee { id name title }
    cycle { id name status phases { phase deadline } }
  }
}`;

export interface MyForm {
  id: string;
  kind: ReviewerKind;
  state: FormState;
  submittedAt: string | null;
  reviewee: (Person & { title: string | null }) | null;
  cycle: { id: string; name: string; status: string; phases: { phase: string; deadline: string | null }[] } | null;
}

export const UPDATE_ANSWER = `mutation UpdateReviewAnswer($formId: ID!, $questionId: String!, $baseVersion: Int!,
    $answer: ReviewAnswerValue!) {
  updateReviewAnswer(formId: $formId, questionId: $questionId, baseVersion: $baseVersion, answer: $answer) {
    form { id state revision canEdit answers { ${ANSWER_FIELDS} } ${SCORE_FIELDS} }
    answer { ${ANSWER_FIELDS} }
    conflict { questionId value version byId at by { id name } }
    errors { field code message }
  }
}`;

export interface UpdateAnswerData {
  updateReviewAnswer: {
    answer: Answer | null;
    conflict: { questionId: string; value: AnswerValue; version: number; by: Person | null; at: string | null } | null;
    errors: PayloadError[];
  };
}

export const SUBMIT_FORM = `mutation SubmitReviewForm($formId: ID!) {
  submitReviewForm(formId: $formId) {
    form { id state canEdit submittedAt revision }
    errors { field code message }
  }
}`;

export interface SubmitData {
  submitReviewForm: { form: { id: string; state: FormState } | null; errors: PayloadError[] };
}

export const FORM_CHANGED = `subscription ReviewFormChanged($formId: ID!) {
  reviewFormChanged(formId: $formId) { kind formId questionId value version byId at state by { id name } }
}`;

export interface FormChange {
  kind: string;
  formId: string;
  questionId: string | null;
  value: AnswerValue;
  version: number | null;
  byId: string | null;
  at: string | null;
  state: FormState;
  by: Person | null;
}

export const PRESENCE = `subscription ReviewPresence($formId: ID!, $sessionId: String) {
  reviewPresence(formId: $formId, sessionId: $sessionId) {
    formId sessionId viewers { sessionId employeeId questionId since employee { id name } }
  }
}`;

export interface Viewer {
  sessionId: string;
  employeeId: string;
  questionId: string | null;
  since: string | null;
  employee: Person | null;
}

export const MOVE_PRESENCE = `mutation MoveReviewPresence($formId: ID!, $sessionId: String!, $questionId: String) {
  moveReviewPresence(formId: $formId, sessionId: $sessionId, questionId: $questionId) {
    sessionId questionId errors { field code message }
  }
}`;

export const SCORE_CHANGED = `subscription ScoreChanged($reviewId: ID!) {
  scoreChanged(reviewId: $reviewId) {
    kind
    ${REVIEW_FIELDS}
  }
}`;

export const KIND_WORDS: Record<ReviewerKind, string> = {
  SELF: "Self review",
  MANAGER: "Manager review",
  PEER: "Peer review",
  UPWARD: "Upward review",
};

export const STATE_WORDS: Record<FormState, string> = {
  NOT_STARTED: "Not started",
  IN_PROGRESS: "In progress",
  SUBMITTED: "Submitted",
};

export const REVIEW_STATE_WORDS: Record<string, string> = {
  SELF_REVIEW: "self review",
  MANAGER_REVIEW: "manager review",
  CALIBRATION: "calibration",
  SHARED: "shared",
  ACKNOWLEDGED: "acknowledged",
};
