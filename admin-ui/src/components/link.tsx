// An in-app link: a real <a href> (keyboard, middle-click, copy link) that navigates without a reload.
import type { ComponentChildren, JSX } from "preact";
import { followLink } from "../lib/router";

export function Link({ href, children, ...rest }: { href: string; children: ComponentChildren } & Omit<JSX.HTMLAttributes<HTMLAnchorElement>, "href">) {
  return (
    <a href={href} onClick={(event) => followLink(event as unknown as MouseEvent, href)} {...rest}>
      {children}
    </a>
  );
}
