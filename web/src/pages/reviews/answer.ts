// One answer being edited: what the person typed (the draft), the answer's version it was typed on (sent as
// baseVersion), a save debounced while they type, and the conflict when someone else saved first.
import { useCallback, useEffect, useRef, useState } from "react";
import { useMutation } from "urql";
import { describeError, type PayloadError } from "../../errors";
import { type Answer, type AnswerValue, type Person, type Question, UPDATE_ANSWER, type UpdateAnswerData } from "./queries";

export const TYPING_PAUSE_MS = 500;
/** A pick (a rating, a level, an option) is saved sooner; still a pause, so arrow keys through a group save once. */
export const PICK_PAUSE_MS = 250;

export interface Conflict {
  value: AnswerValue;
  version: number;
  by: Person | null;
  at: string | null;
}

export type SaveStatus = "idle" | "unsaved" | "saving" | "saved" | "failed" | "conflict";

export interface AnswerEditor {
  /** What the field shows: the draft while there is one, else the stored answer. */
  value: AnswerValue;
  editing: boolean;
  status: SaveStatus;
  conflict: Conflict | null;
  errors: PayloadError[];
  failure: string | null;
  change: (value: AnswerValue, options?: { pick?: boolean }) => void;
  /** Saves a pending draft at once (leaving the field, submitting). */
  flush: () => Promise<void>;
  takeTheirs: () => void;
  keepMine: () => void;
  combine: () => void;
}

export function isEmpty(value: AnswerValue): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.trim() === "";
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

function same(a: AnswerValue, b: AnswerValue): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The typed answer (ReviewAnswerValue) for a value of the question's kind; an empty one clears it. */
export function answerInput(question: Question, value: AnswerValue): Record<string, unknown> {
  if (isEmpty(value)) return { clear: true };
  switch (question.kind) {
    case "RATING":
      return { rating: Number(value) };
    case "COMPETENCY":
      return { level: Number(value) };
    case "TEXT":
      return { text: String(value) };
    case "CHOICE":
      return { choice: String(value) };
    case "GOALS":
      return {
        goals: Object.entries(value as Record<string, number>).map(([goalId, rating]) => ({ goalId, rating })),
      };
  }
}

/** Both texts in one: the other person's first, then what this person wrote (one of them if it holds the other). */
export function combineTexts(theirs: string, mine: string): string {
  const a = theirs.trim();
  const b = mine.trim();
  if (!a || b.includes(a)) return mine;
  if (!b || a.includes(b)) return theirs;
  return `${a}\n\n${b}`;
}

export function useAnswer(formId: string, question: Question, stored: Answer | undefined,
  onSaved?: (answer: Answer) => void): AnswerEditor {
  const [, update] = useMutation<UpdateAnswerData>(UPDATE_ANSWER);
  const [draft, setDraft] = useState<{ value: AnswerValue } | null>(null);
  const [status, setStatus] = useState<SaveStatus>("idle");
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  // Refs carry what the asynchronous save needs without waiting for a render.
  const draftRef = useRef<{ value: AnswerValue } | null>(null);
  const base = useRef<number>(stored?.version ?? 0);
  const storedVersion = useRef<number>(stored?.version ?? 0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const conflictRef = useRef<Conflict | null>(null);
  const questionRef = useRef(question);
  const onSavedRef = useRef(onSaved);
  storedVersion.current = stored?.version ?? 0;
  questionRef.current = question;
  onSavedRef.current = onSaved;

  const setDraftBoth = (next: { value: AnswerValue } | null) => {
    draftRef.current = next;
    setDraft(next);
  };
  const setConflictBoth = (next: Conflict | null) => {
    conflictRef.current = next;
    setConflict(next);
  };

  const save = useCallback(async (): Promise<void> => {
    if (timer.current) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    if (inFlight.current) {
      again.current = true;
      return inFlight.current;
    }
    const pending = draftRef.current;
    if (!pending || conflictRef.current) return;
    const sent = pending.value;
    const run = (async () => {
      setStatus("saving");
      const result = await update({
        formId,
        questionId: questionRef.current.key,
        baseVersion: base.current,
        answer: answerInput(questionRef.current, sent),
      });
      const payload = result.data?.updateReviewAnswer;
      if (!payload) {
        setFailure(describeError(result.error) ?? "The answer could not be saved.");
        setStatus("failed");
        return;
      }
      if (payload.conflict) {
        setConflictBoth({ value: payload.conflict.value, version: payload.conflict.version, by: payload.conflict.by,
          at: payload.conflict.at });
        setErrors([]);
        setFailure(null);
        setStatus("conflict");
        return;
      }
      if (payload.errors.length > 0 || !payload.answer) {
        setErrors(payload.errors);
        setFailure(null);
        setStatus("failed");
        return;
      }
      base.current = payload.answer.version;
      setErrors([]);
      setFailure(null);
      onSavedRef.current?.(payload.answer);
      if (draftRef.current && !same(draftRef.current.value, sent)) {
        again.current = true; // typed on while it was saved: save that too, on the version just written
        setStatus("unsaved");
      } else {
        setDraftBoth(null); // the field shows the stored answer again (the payload put it in the cache)
        setStatus("saved");
      }
    })();
    inFlight.current = run;
    try {
      await run;
    } finally {
      inFlight.current = null;
    }
    if (again.current) {
      again.current = false;
      await save();
    }
  }, [formId, update]);

  const change = useCallback((value: AnswerValue, options: { pick?: boolean } = {}) => {
    if (!draftRef.current) base.current = storedVersion.current; // typing starts on the answer shown
    setDraftBoth({ value });
    if (conflictRef.current) return; // resolve the conflict first: its choices decide what is sent
    setStatus("unsaved");
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), options.pick ? PICK_PAUSE_MS : TYPING_PAUSE_MS);
  }, [save]);

  const flush = useCallback(async () => {
    if (draftRef.current && !conflictRef.current) await save();
    else if (inFlight.current) await inFlight.current;
  }, [save]);

  const takeTheirs = useCallback(() => {
    setConflictBoth(null);
    setDraftBoth(null);
    setStatus("idle");
  }, []);

  const resend = useCallback((value: AnswerValue) => {
    const current = conflictRef.current;
    if (!current) return;
    base.current = current.version;
    setConflictBoth(null);
    setDraftBoth({ value });
    void save();
  }, [save]);

  const keepMine = useCallback(() => resend(draftRef.current?.value ?? null), [resend]);
  const combine = useCallback(() => {
    const current = conflictRef.current;
    if (!current) return;
    resend(combineTexts(String(current.value ?? ""), String(draftRef.current?.value ?? "")));
  }, [resend]);

  // closing the tab with an answer not saved yet: the browser asks first
  const pending = status === "unsaved" || status === "saving" || status === "conflict";
  useEffect(() => {
    if (!pending) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [pending]);

  useEffect(() => () => {
    // leaving the page while a save waits for the typing pause: save now rather than lose it
    if (timer.current) {
      clearTimeout(timer.current);
      void save();
    }
  }, [save]);

  return {
    value: draft ? draft.value : (stored?.value ?? null),
    editing: draft !== null,
    status,
    conflict,
    errors,
    failure,
    change,
    flush,
    takeTheirs,
    keepMine,
    combine,
  };
}
