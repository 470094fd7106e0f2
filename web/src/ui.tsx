// Small shared pieces: modal dialogs (the native <dialog>, which traps focus and closes on
// Escape), notices announced to screen readers, and error messages.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { describe } from "./api";

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => {
      dialog.close();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={props.wide ? "wide" : ""}
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <header class="dialog-head">
        <h2 id="dialog-title">{props.title}</h2>
        <button type="button" class="icon" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}

export function ErrorText(props: { error: unknown }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {describe(props.error)}
    </p>
  );
}

type Notice = { id: number; text: string; kind: "info" | "error" };
let notify: (text: string, kind?: "info" | "error") => void = () => {};

export function toast(text: string, kind: "info" | "error" = "info") {
  notify(text, kind);
}

export function toastError(error: unknown) {
  notify(describe(error), "error");
}

// A button that copies `text` to the clipboard and says so.
export function CopyButton(props: { text: string; label?: string; children: ComponentChildren }) {
  return (
    <button type="button" aria-label={props.label}
      onClick={() => void navigator.clipboard.writeText(props.text).then(() => toast("Copied."), toastError)}>
      {props.children}
    </button>
  );
}

export function Notices() {
  const [items, setItems] = useState<Notice[]>([]);
  useEffect(() => {
    let next = 1;
    notify = (text, kind = "info") => {
      const id = next++;
      setItems((list) => [...list.slice(-3), { id, text, kind }]);
      window.setTimeout(() => setItems((list) => list.filter((n) => n.id !== id)), kind === "error" ? 8000 : 4000);
    };
  }, []);
  return (
    <div class="notices" role="status" aria-live="polite">
      {items.map((n) => (
        <p key={n.id} class={"notice " + n.kind}>
          {n.text}
        </p>
      ))}
    </div>
  );
}

// A form that runs an async action, disables itself meanwhile and shows the error.
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await action(...args);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}

export function PromptDialog(props: {
  title: string;
  label: string;
  initial?: string;
  submit: string;
  onSubmit: (value: string) => Promise<void>;
  onClose: () => void;
}) {
  const [value, setValue] = useState(props.initial ?? "");
  const action = useAction(async () => {
    await props.onSubmit(value.trim());
    props.onClose();
  });
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const el = input.current!;
    el.focus();
    // Select the name without its extension, as file managers do.
    const dot = el.value.lastIndexOf(".");
    el.setSelectionRange(0, dot > 0 ? dot : el.value.length);
  }, []);
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <label>
          {props.label}
          <input ref={input} value={value} onInput={(e) => setValue(e.currentTarget.value)} required />
        </label>
        <ErrorText error={action.error} />
        <DialogActions onCancel={props.onClose} submit={props.submit} disabled={action.busy || !value.trim()} />
      </form>
    </Dialog>
  );
}

export function ConfirmDialog(props: {
  title: string;
  text: string;
  confirm: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const action = useAction(async () => {
    await props.onConfirm();
    props.onClose();
  });
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p>{props.text}</p>
      <ErrorText error={action.error} />
      <div class="actions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button class={props.danger ? "danger" : "primary"} disabled={action.busy} onClick={() => void action.run()}>
          {props.confirm}
        </button>
      </div>
    </Dialog>
  );
}

// The Cancel and submit buttons at the foot of a dialog's form.
export function DialogActions(props: { onCancel: () => void; submit: string; disabled?: boolean }) {
  return (
    <div class="actions">
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
      <button class="primary" disabled={props.disabled}>
        {props.submit}
      </button>
    </div>
  );
}

// A table's header row; an empty name is the (visually hidden) actions column.
export function TableHead(props: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th scope="col" key={c}>
            {c || <span class="visually-hidden">Actions</span>}
          </th>
        ))}
      </tr>
    </thead>
  );
}
