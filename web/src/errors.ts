// Every error the API can return, in words a person understands: the GraphQL error codes of refused
// requests (extensions.code) and the payload errors of refused writes ({ field, code, message }).
import type { CombinedError } from "urql";

const REQUEST_WORDS: Record<string, string> = {
  UNAUTHENTICATED: "Your sign-in has expired. Please sign in again.",
  FORBIDDEN: "You do not have access to this.",
  LIMIT_EXCEEDED: "That asked for too much at once. Narrow it down and try again.",
  RATE_LIMITED: "Too many requests in a short time. Wait a moment and try again.",
  TIMEOUT: "The server took too long to answer. Try again in a moment.",
  BAD_REQUEST: "The request could not be understood. Reload the page and try again.",
  BAD_USER_INPUT: "Some of what was sent is not valid.",
  GRAPHQL_VALIDATION_FAILED: "This page is out of date with the server. Reload the page.",
  PERSISTED_QUERY_NOT_FOUND: "This page is out of date with the server. Reload the page.",
  QUERY_NOT_IN_SAFELIST: "This page is out of date with the server. Reload the page.",
};

const FIELD_WORDS: Record<string, string> = {
  REQUIRED: "is required",
  INVALID: "is not valid",
  TOO_LONG: "is too long",
  NOT_FOUND: "could not be found",
  DUPLICATE: "already exists",
  CYCLE: "would create a loop",
  INACTIVE: "is no longer active",
  CONFLICT: "was changed by someone else in the meantime",
  INVALID_TRANSITION: "cannot be changed in its current state",
  READ_ONLY: "can no longer be changed",
  TOO_LATE: "is past its deadline",
  FORBIDDEN: "is not yours to change",
  KIND_MISMATCH: "has the wrong kind of answer",
};

/** One sentence for a failed query or subscription. */
export function describeError(error: CombinedError | Error | undefined | null): string | null {
  if (!error) return null;
  if ("networkError" in error && error.networkError) {
    return "Perfgraph cannot be reached. Check your connection; the page tries again on its own.";
  }
  if ("graphQLErrors" in error && error.graphQLErrors.length > 0) {
    const first = error.graphQLErrors[0];
    const code = String(first.extensions?.code ?? "");
    return REQUEST_WORDS[code] ?? sentence(first.message);
  }
  return sentence(error.message.replace(/^\[(GraphQL|Network)\]\s*/, ""));
}

export interface PayloadError {
  field?: string | null;
  code: string;
  message: string;
}

/** One sentence per refused field of a mutation's payload: "Answer: was changed by someone else …". */
export function describePayloadError(error: PayloadError): string {
  const field = error.field ? humanField(error.field) : null;
  const words = FIELD_WORDS[error.code];
  if (field && words) return `${field} ${words}: ${sentence(error.message)}`;
  return sentence(error.message) || (words ? `This ${words}.` : "This could not be saved.");
}

function humanField(field: string): string {
  const last = field.split(".").pop() ?? field;
  const words = last.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return "";
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}
