// Loading, empty and error states, the same on every page.
import type { ComponentChildren } from "preact";
import type { Resource } from "../lib/hooks";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorBanner({ error, onRetry }: { error: Error | string; onRetry?: () => void }) {
  return (
    <div class="banner banner-error" role="alert">
      <span>{typeof error === "string" ? error : error.message}</span>
      {onRetry && (
        <button type="button" class="button button-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <p class="state-title">{title}</p>
      {children}
    </div>
  );
}

/** A polite announcement of something that just succeeded. */
export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="banner banner-success" role="status">
      {children}
    </div>
  );
}

/**
 * A loaded list's states, the same on every page: the load error (with retry), a spinner the
 * first time, `empty` when there is nothing, and `children(items)` otherwise. `items` defaults to
 * what the resource loaded; pass it when the page derives or accumulates the list.
 */
export function ListStates<T>({
  resource,
  items,
  loadingLabel,
  empty,
  children,
}: {
  resource: Resource<unknown>;
  items: T[] | undefined;
  loadingLabel: string;
  empty: ComponentChildren;
  children: (items: T[]) => ComponentChildren;
}) {
  return (
    <>
      {resource.error && <ErrorBanner error={resource.error} onRetry={resource.reload} />}
      {resource.loading && resource.data === undefined && <Loading label={loadingLabel} />}
      {resource.data !== undefined && items?.length === 0 && empty}
      {items && items.length > 0 && children(items)}
    </>
  );
}

/** A table header; `actions` adds the unlabelled-looking (but announced) actions column. */
export function TableHead({ columns, actions = false }: { columns: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th scope="col" key={column}>
            {column}
          </th>
        ))}
        {actions && (
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
