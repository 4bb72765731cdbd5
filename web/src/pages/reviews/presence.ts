// Presence on a review form: this tab's session joins reviewPresence (who else has the form open, and which
// question each is on) and says which question it is on with moveReviewPresence as the focus moves.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type CombinedError, useMutation, useSubscription } from "urql";
import { MOVE_PRESENCE, PRESENCE, type Viewer } from "./queries";

/** A session id for this tab (letters and digits, as reviewPresence takes them). */
export function newSessionId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface Presence {
  sessionId: string;
  viewers: Viewer[];
  error: CombinedError | undefined;
  moveTo: (questionId: string | null) => void;
}

const LEAVE_DELAY_MS = 250;

export function usePresence(formId: string): Presence {
  const sessionId = useMemo(newSessionId, [formId]);
  const [{ data, error }] = useSubscription<{ reviewPresence: { viewers: Viewer[] } }>({
    query: PRESENCE,
    variables: { formId, sessionId },
  });
  const [, move] = useMutation(MOVE_PRESENCE);
  const [, setTick] = useState(0);
  const current = useRef<string | null>(null);
  const leave = useRef<ReturnType<typeof setTimeout> | null>(null);

  const sentAt = useRef(0);
  const send = useCallback((questionId: string | null, again = false) => {
    if (current.current === questionId && !again) return;
    current.current = questionId;
    sentAt.current = Date.now();
    void move({ formId, sessionId, questionId });
    setTick((n) => n + 1);
  }, [formId, sessionId, move]);

  // Leaving a question for the next one is one move, not a move to "none" and back.
  const moveTo = useCallback((questionId: string | null) => {
    if (leave.current) {
      clearTimeout(leave.current);
      leave.current = null;
    }
    if (questionId === null) leave.current = setTimeout(() => send(null), LEAVE_DELAY_MS);
    else send(questionId);
  }, [send]);

  useEffect(() => () => {
    if (leave.current) clearTimeout(leave.current);
  }, []);

  // After a reconnection the server knows this session again only as "viewing": say where it is once more
  // (not while a move just sent is still on its way).
  const viewers = data?.reviewPresence.viewers ?? [];
  const own = viewers.find((v) => v.sessionId === sessionId);
  useEffect(() => {
    if (own && own.questionId !== current.current && Date.now() - sentAt.current > 2000) send(current.current, true);
  }, [own, send]);

  return { sessionId, viewers, error, moveTo };
}
