// The frame of every signed-in page: skip link, header with navigation and logout, main area.
import type { ComponentChildren } from "preact";
import { Link } from "./link";

const NAV = [
  { href: "/", label: "Channels", match: (path: string) => path === "/" || path.startsWith("/channels") },
  { href: "/workspaces", label: "Workspaces", match: (path: string) => path.startsWith("/workspaces") },
];

export function Layout({ path, onLogout, children }: { path: string; onLogout: () => void; children: ComponentChildren }) {
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
