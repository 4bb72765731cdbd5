// One question of a review form: its field by kind, the save state, who else is on it, a conflict with the
// other person's answer and the one-click ways out of it.
import { type FocusEvent, useEffect, useRef } from "react";
import { describePayloadError, type PayloadError } from "../../errors";
import { Avatar, Highlight } from "../../ui/status";
import { type AnswerEditor, isEmpty, useAnswer } from "./answer";
import type { Answer, AnswerValue, Question, Viewer } from "./queries";

export interface QuestionFieldProps {
  formId: string;
  question: Question;
  stored: Answer | undefined;
  canEdit: boolean;
  meId: string | null;
  others: Viewer[];
  missing: boolean;
  goals: { goalId: string; title: string }[];
  onFocusQuestion: (key: string | null) => void;
  register: (key: string, flush: (() => Promise<void>) | null) => void;
  onSaved: (answer: Answer) => void;
}

export function questionDomId(key: string): string {
  return `q-${key}`;
}

export function describeValue(question: Question, value: AnswerValue, goals: { goalId: string; title: string }[] = []): string {
  if (isEmpty(value)) return "No answer yet";
  switch (question.kind) {
    case "RATING": {
      const label = question.labels.find((l) => l.value === Number(value));
      return label ? `${label.label} (${Number(value)})` : String(value);
    }
    case "COMPETENCY": {
      const level = question.competency?.levels.find((l) => l.level === Number(value));
      return level ? `Level ${Number(value)}: ${level.description}` : `Level ${Number(value)}`;
    }
    case "GOALS":
      return Object.entries(value as Record<string, number>)
        .map(([id, rating]) => `${goals.find((g) => g.goalId === id)?.title ?? "A goal"}: ${rating}`)
        .join("; ");
    default:
      return String(value);
  }
}

/** A refusal in words; one about the whole form or the version (not a field the person filled) without the
 * field's name in front ("Form id can no longer be changed: …" says less than the message alone). */
export function refusalWords(error: PayloadError): string {
  const whole = !error.field || ["formId", "baseVersion", "questionId"].includes(error.field);
  return describePayloadError(whole ? { ...error, field: null } : error);
}

const STATUS_WORDS: Record<string, string> = {
  unsaved: "Not saved yet…",
  saving: "Saving…",
  saved: "Saved",
  conflict: "Not saved: someone else changed this answer",
};

export function QuestionField(props: QuestionFieldProps) {
  const { formId, question, stored, canEdit, meId, others, missing, goals, onFocusQuestion, register, onSaved } = props;
  const editor = useAnswer(formId, question, stored, onSaved);
  const id = questionDomId(question.key);
  const flush = editor.flush;
  useEffect(() => {
    register(question.key, flush);
    return () => register(question.key, null);
  }, [register, question.key, flush]);

  // Highlighted when someone else's answer arrives (not for this person's own saves).
  const remote = useRef(0);
  if (stored && stored.byId !== meId && stored.version > remote.current) remote.current = stored.version;

  function focused() {
    onFocusQuestion(question.key);
  }
  function blurred(event: FocusEvent<HTMLElement>) {
    if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
    void editor.flush();
    onFocusQuestion(null);
  }

  const hint = [
    question.required ? "Required." : "Optional.",
    question.kind === "COMPETENCY" && question.expectedLevel ? `Level ${question.expectedLevel} expected.` : "",
  ].filter(Boolean).join(" ");
  return (
    <Highlight version={remote.current} as="li" className={`question${missing ? " missing" : ""}`}>
      <fieldset id={id} onFocus={focused} onBlur={blurred} aria-describedby={`${id}-hint`} tabIndex={-1}
        aria-invalid={missing || undefined} data-question={question.key}>
        <legend>
          {question.text}
          {question.required && <span className="required" aria-hidden="true"> *</span>}
        </legend>
        <p className="hint" id={`${id}-hint`}>
          {hint}
          {question.competency && ` ${question.competency.name}.`}
        </p>
        {others.length > 0 && (
          <p className="here">
            {others.map((viewer) => (
              <span key={viewer.sessionId} className="here-person">
                <Avatar name={viewer.employee?.name ?? "?"} id={viewer.employeeId} size="sm" />
                <span className="here-words">{viewer.employee?.name ?? "Someone"} is on this question</span>
              </span>
            ))}
          </p>
        )}
        {canEdit ? <Input question={question} editor={editor} id={id} goals={goals} /> : (
          <p className="read-only">{describeValue(question, stored?.value ?? null, goals)}</p>
        )}
        {missing && <p className="missing-words">This question needs an answer before the form can be submitted.</p>}
        {canEdit && <Saved editor={editor} stored={stored} meId={meId} />}
        {editor.conflict && <ConflictPanel question={question} editor={editor} goals={goals} />}
      </fieldset>
    </Highlight>
  );
}

function Saved({ editor, stored, meId }: { editor: AnswerEditor; stored: Answer | undefined; meId: string | null }) {
  let words = STATUS_WORDS[editor.status] ?? "";
  if (editor.status === "idle" && stored && stored.by && stored.byId !== meId) words = `Last saved by ${stored.by.name}`;
  return (
    <div className="save-state">
      <p className="muted" role="status" aria-live="polite">{words}</p>
      {editor.status === "failed" && editor.failure && <p className="error" role="alert">Not saved: {editor.failure}</p>}
      {editor.status === "failed" && editor.errors.length > 0 && (
        <ul className="error" role="alert">
          {editor.errors.map((error, index) => <li key={index}>Not saved: {refusalWords(error)}</li>)}
        </ul>
      )}
      {editor.status === "failed" && editor.editing && (
        <button type="button" className="secondary" onClick={() => void editor.flush()}>Try saving again</button>
      )}
    </div>
  );
}

function ConflictPanel({ question, editor, goals }: { question: Question; editor: AnswerEditor; goals: { goalId: string; title: string }[] }) {
  const conflict = editor.conflict!;
  const who = conflict.by?.name ?? "Someone else";
  return (
    <div className="conflict" role="alert">
      <p className="conflict-title">
        <strong>{who}</strong> saved this answer while you were editing it.
      </p>
      <dl>
        <dt>Their answer</dt>
        <dd className="theirs">{describeValue(question, conflict.value, goals)}</dd>
        <dt>Your answer (not saved)</dt>
        <dd className="mine">{describeValue(question, editor.value, goals)}</dd>
      </dl>
      <div className="merge">
        <button type="button" className="secondary" onClick={editor.takeTheirs}>Use their answer</button>
        <button type="button" className="secondary" onClick={editor.keepMine}>Keep mine</button>
        {question.kind === "TEXT" && (
          <button type="button" onClick={editor.combine}>Combine both</button>
        )}
      </div>
    </div>
  );
}

function Input({ question, editor, id, goals }: { question: Question; editor: AnswerEditor; id: string; goals: { goalId: string; title: string }[] }) {
  const value = editor.value;
  switch (question.kind) {
    case "TEXT":
      return (
        <>
          <label className="visually-hidden" htmlFor={`${id}-text`}>{question.text}</label>
          <textarea id={`${id}-text`} value={typeof value === "string" ? value : ""} maxLength={5000}
            aria-describedby={`${id}-hint`} onChange={(event) => editor.change(event.target.value)} />
        </>
      );
    case "RATING":
      return (
        <Choices name={id} value={value} onPick={(v) => editor.change(v, { pick: true })}
          choices={question.labels.map((l) => ({ value: l.value, label: `${l.value} · ${l.label}` }))} />
      );
    case "COMPETENCY": {
      const levels = question.competency?.levels ?? [1, 2, 3, 4, 5].map((level) => ({ level, description: "" }));
      return (
        <Choices name={id} value={value} onPick={(v) => editor.change(v, { pick: true })}
          choices={levels.map((l) => ({ value: l.level, label: `${l.level}${l.description ? ` · ${l.description}` : ""}` }))} />
      );
    }
    case "CHOICE":
      return (
        <Choices name={id} value={value} onPick={(v) => editor.change(v, { pick: true })}
          choices={question.options.map((o) => ({ value: o, label: o }))} />
      );
    case "GOALS": {
      const ratings = (value && typeof value === "object" ? value : {}) as Record<string, number>;
      if (goals.length === 0) return <p className="muted">There are no goals of the period to rate.</p>;
      return (
        <ul className="goal-ratings">
          {goals.map((goal) => (
            <li key={goal.goalId}>
              <label htmlFor={`${id}-${goal.goalId}`}>{goal.title}</label>
              <select id={`${id}-${goal.goalId}`} value={ratings[goal.goalId] ?? ""}
                onChange={(event) => {
                  const next = { ...ratings };
                  if (event.target.value === "") delete next[goal.goalId];
                  else next[goal.goalId] = Number(event.target.value);
                  editor.change(next, { pick: true });
                }}>
                <option value="">Not rated</option>
                {question.labels.map((l) => <option key={l.value} value={l.value}>{`${l.value} · ${l.label}`}</option>)}
              </select>
            </li>
          ))}
        </ul>
      );
    }
  }
}

function Choices({ name, value, choices, onPick }: {
  name: string;
  value: AnswerValue;
  choices: { value: number | string; label: string }[];
  onPick: (value: AnswerValue) => void;
}) {
  return (
    <div className="choices">
      {choices.map((choice) => {
        const checked = value !== null && String(value) === String(choice.value);
        return (
          <label key={String(choice.value)} className={`choice${checked ? " picked" : ""}`}>
            <input type="radio" name={name} value={String(choice.value)} checked={checked}
              onChange={() => onPick(choice.value)} />
            <span>{choice.label}</span>
          </label>
        );
      })}
      {value !== null && !isEmpty(value) && (
        <button type="button" className="link clear" onClick={() => onPick(null)}>Clear this answer</button>
      )}
    </div>
  );
}
