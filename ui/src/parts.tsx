// Small pieces every screen uses: labelled fields, buttons, the banner, copy.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon, type IconName } from './icons';
import { banner, working } from './state';

interface FieldProps {
  label: string;
  testid: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  hint?: string;
  inputMode?: 'decimal' | 'numeric' | 'text';
  placeholder?: string;
  invalid?: boolean;
  /** Takes the keyboard focus when it appears (the lock screen's PIN). */
  focus?: boolean;
}

/** An input with its label; `invalid` marks it for assistive technology and the eye. */
export function Field(p: FieldProps) {
  const secret = p.type === 'password';
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (p.focus) input.current?.focus();
  }, [p.focus]);
  return (
    <label class="field">
      <span>{p.label}</span>
      <input
        ref={input}
        data-testid={p.testid}
        type={p.type ?? 'text'}
        value={p.value}
        inputMode={p.inputMode}
        placeholder={p.placeholder}
        autoComplete={secret ? 'off' : undefined}
        spellcheck={false}
        aria-invalid={p.invalid ? 'true' : undefined}
        onInput={(e) => p.onInput((e.target as HTMLInputElement).value)}
        // A field emptied by a script or an automation fires only `change`.
        onChange={(e) => p.onInput((e.target as HTMLInputElement).value)}
      />
      {p.hint ? <small class="hint">{p.hint}</small> : null}
    </label>
  );
}

interface SelectProps {
  label: string;
  testid: string;
  value: string;
  options: [string, string][];
  onChange: (value: string) => void;
}

export function Select(p: SelectProps) {
  return (
    <label class="field">
      <span>{p.label}</span>
      <select data-testid={p.testid} value={p.value} onChange={(e) => p.onChange((e.target as HTMLSelectElement).value)}>
        {p.options.map(([value, text]) => (
          <option key={value} value={value} selected={value === p.value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

interface ButtonProps {
  testid: string;
  onClick: () => void;
  disabled?: boolean;
  /** The three weights of docs/design.md, and danger for what cannot be undone. */
  kind?: 'primary' | 'secondary' | 'ghost' | 'danger';
  icon?: IconName;
  /** The accessible name of a button that shows only its icon. */
  label?: string;
  title?: string;
  children?: ComponentChildren;
}

export function Button(p: ButtonProps) {
  return (
    <button
      type="button"
      data-testid={p.testid}
      class={p.kind ?? 'primary'}
      disabled={p.disabled}
      aria-label={p.label}
      title={p.title ?? p.label}
      onClick={p.onClick}
    >
      {p.icon ? <Icon name={p.icon} /> : null}
      {p.children}
    </button>
  );
}

/** A button that copies `text` and says so; `iconOnly` for the header's small one. */
export function Copy({ testid, text, label = 'Copy', iconOnly = false }: { testid: string; text: string; label?: string; iconOnly?: boolean }) {
  const [done, setDone] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(text).then(() => setDone(true));
  };
  return iconOnly ? (
    <Button testid={testid} kind="ghost" icon={done ? 'check' : 'copy'} label={done ? 'Copied' : label} onClick={copy} />
  ) : (
    <Button testid={testid} kind="secondary" icon={done ? 'check' : 'copy'} onClick={copy}>
      {done ? 'Copied' : label}
    </Button>
  );
}

/** The last error, announced: what happened, what to do next, the detail. */
export function ErrorBanner() {
  const b = banner.value;
  return (
    <div role="alert" aria-live="assertive" class="banner-slot">
      {b ? (
        <div data-testid="error-banner" class="banner" data-kind={b.kind}>
          <strong data-testid="error-title">{b.title}</strong>
          <span data-testid="error-next"> {b.next}</span>
          <div data-testid="error-detail" class="detail">
            {b.detail}
          </div>
          <Button testid="error-dismiss" kind="secondary" onClick={() => (banner.value = null)}>
            Dismiss
          </Button>
        </div>
      ) : null}
    </div>
  );
}

/** What the window waits for, announced politely. */
export function Progress() {
  return (
    <div aria-live="polite" class="progress-slot">
      {working.value ? (
        <div data-testid="working" class="working">
          <span class="spinner" aria-hidden="true" /> {working.value}
        </div>
      ) : null}
    </div>
  );
}

/** A titled card; `focus` moves the keyboard focus to its title when it appears (a step that
 * replaces the one the user was on: the review, the success screen). */
export function Card({ title, testid, focus, children }: { title: string; testid?: string; focus?: boolean; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);
  return (
    <section class="card" data-testid={testid} aria-label={title}>
      <h2 ref={heading} tabIndex={focus ? -1 : undefined}>
        {title}
      </h2>
      {children}
    </section>
  );
}
