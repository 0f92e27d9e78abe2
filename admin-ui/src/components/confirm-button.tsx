// A button that asks first, in a native modal <dialog> (focus is trapped and returned by the
// browser, Escape cancels). For destructive actions: Delete, Remove.
import type { ComponentChildren } from "preact";
import { useId, useRef, useState } from "preact/hooks";

interface Props {
  label: string;
  title: string;
  confirmLabel: string;
  children: ComponentChildren;
  onConfirm: () => Promise<unknown> | unknown;
  danger?: boolean;
  small?: boolean;
  disabled?: boolean;
  /** Accessible name when `label` alone is ambiguous in a list ("Delete" → "Delete channel X"). */
  ariaLabel?: string;
}

export function ConfirmButton({ label, title, confirmLabel, children, onConfirm, danger = true, small = false, disabled, ariaLabel }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const size = small ? " button-small" : "";
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return (
    <>
      <button type="button" class={`button${danger ? " button-danger-quiet" : ""}${size}`} disabled={disabled} aria-label={ariaLabel} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} class="dialog" aria-labelledby={titleId}>
        <form method="dialog" class="dialog-body" onSubmit={(event) => event.preventDefault()}>
          <h2 class="dialog-title" id={titleId}>
            {title}
          </h2>
          <div class="dialog-text">{children}</div>
          <div class="dialog-actions">
            <button type="button" class="button" autofocus onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="button" class={`button ${danger ? "button-danger" : "button-primary"}`} disabled={busy} onClick={confirm}>
              {busy ? "Working…" : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
