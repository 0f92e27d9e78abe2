// Wizard step 1: the platform. Providers not built yet are shown as "coming soon" and disabled.
import { ProviderIcon } from "../../components/provider-icon";
import type { Provider } from "../../lib/types";

export function ProviderStep({ providers, selected, onSelect, onNext }: { providers: Provider[]; selected?: string; onSelect: (id: string) => void; onNext: () => void }) {
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (selected) onNext();
      }}
    >
      <fieldset class="provider-grid">
        <legend class="visually-hidden">Platform</legend>
        {providers.map((provider) => (
          <label class={`provider-option${provider.available ? "" : " provider-option-disabled"}${selected === provider.id ? " provider-option-selected" : ""}`}>
            <input
              type="radio"
              name="provider"
              value={provider.id}
              checked={selected === provider.id}
              disabled={!provider.available}
              onChange={() => onSelect(provider.id)}
              aria-describedby={`provider-${provider.id}-note`}
            />
            <ProviderIcon provider={provider.id} label={provider.label} size={32} decorative />
            <span class="provider-option-text">
              <span class="provider-option-label">{provider.label}</span>
              <span class="muted small" id={`provider-${provider.id}-note`}>
                {provider.available ? (provider.connection === "qr" ? "QR login" : "Token") : `Coming soon · ${provider.connection === "qr" ? "QR login" : "token"}`}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={!selected}>
          Next
        </button>
      </div>
    </form>
  );
}
