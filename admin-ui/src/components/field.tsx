// A labelled form control. The label names the control; the help text describes it
// (aria-describedby), so screen readers read "Workspace, combo box" and then the help — instead
// of one long name made of both.
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

export interface ControlProps {
  id: string;
  "aria-describedby"?: string;
}

interface Props {
  label: ComponentChildren;
  help?: ComponentChildren;
  inline?: boolean;
  children: (control: ControlProps) => ComponentChildren;
}

export function Field({ label, help, inline = false, children }: Props) {
  const id = useId();
  const helpId = `${id}-help`;
  return (
    <div class={inline ? "field field-inline" : "field"}>
      <label class="field-label" for={id}>
        {label}
      </label>
      {children({ id, ...(help ? { "aria-describedby": helpId } : {}) })}
      {help && (
        <span class="field-help" id={helpId}>
          {help}
        </span>
      )}
    </div>
  );
}
