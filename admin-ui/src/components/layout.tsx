// The frame of every signed-in page: skip link, header with navigation and logout, main area.
import type { ComponentChildren } from "preact";
import { api } from "../lib/api";
import { useResource } from "../lib/hooks";
import { Link } from "./link";

const NAV = [
  { href: "/", label: "Overview", match: (path: string) => path === "/" },
  { href: "/channels", label: "Channels", match: (path: string) => path.startsWith("/channels") },
  { href: "/workspaces", label: "Workspaces", match: (path: string) => path.startsWith("/workspaces") },
  { href: "/audit", label: "Audit log", match: (path: string) => path === "/audit" },
];

/** Pending pairing requests over all channels: users were told "an admin has been asked". */
const PENDING_POLL_MS = 10_000;

function usePendingPairing(path: string) {
  // Read again on every page change too: an approval elsewhere shows at once.
  return useResource(() => api.get<{ pending: number; channels: Record<string, number> }>("/pairing/pending"), [path], { pollMs: PENDING_POLL_MS });
}

export function Layout({ path, onLogout, children }: { path: string; onLogout: () => void; children: ComponentChildren }) {
  const pending = usePendingPairing(path).data?.pending ?? 0;
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top-bar">
        <div class="top-bar-inner">
          <Link href="/" class="brand">
            <img src="/favicon.svg" alt="" width={24} height={24} />
            Switchboard
          </Link>
          <nav aria-label="Main">
            <ul class="nav-list">
              {NAV.map((item) => (
                <li>
                  <Link href={item.href} class="nav-link" aria-current={item.match(path) ? "page" : undefined}>
                    {item.label}
                    {item.href === "/channels" && pending > 0 && (
                      <span class="count-badge" data-pending-badge title={`${pending} pairing ${pending === 1 ? "request waits" : "requests wait"} for approval`}>
                        {pending}
                        <span class="visually-hidden"> pairing {pending === 1 ? "request" : "requests"} waiting</span>
                      </span>
                    )}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <button type="button" class="button button-small button-quiet logout" onClick={onLogout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** A page's heading row; the heading takes focus after navigation so screen readers announce it. */
export function PageHeader({ title, children, back }: { title: ComponentChildren; children?: ComponentChildren; back?: { href: string; label: string } }) {
  return (
    <div class="page-header">
      <div>
        {back && (
          <Link href={back.href} class="back-link">
            ← {back.label}
          </Link>
        )}
        <h1 class="page-title" tabIndex={-1} data-page-heading>
          {title}
        </h1>
      </div>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}
