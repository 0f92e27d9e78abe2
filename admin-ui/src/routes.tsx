// Which page a path shows. Paths are the app's public URLs: keep them stable.
import type { ComponentChildren } from "preact";
import { EmptyState } from "./components/states";
import { Link } from "./components/link";
import { AuditPage } from "./pages/audit";
import { ChannelDetailPage } from "./pages/channel-detail";
import { ChannelsPage } from "./pages/channels";
import { ChannelWizardPage } from "./pages/channel-wizard";
import { OverviewPage } from "./pages/overview";
import { ThreadPage } from "./pages/thread";
import { WorkspaceEditPage } from "./pages/workspace-edit";
import { WorkspacesPage } from "./pages/workspaces";

export interface Route {
  title: string;
  render: () => ComponentChildren;
}

const CHANNEL_TABS = ["activity", "pairing", "users", "settings", "logs"] as const;
export type ChannelTab = (typeof CHANNEL_TABS)[number];

export function matchRoute(path: string): Route {
  if (path === "/" || path === "/login") return { title: "Overview", render: () => <OverviewPage /> };
  if (path === "/channels") return { title: "Channels", render: () => <ChannelsPage /> };
  if (path === "/channels/new") return { title: "Add channel", render: () => <ChannelWizardPage /> };
  const channel = /^\/channels\/([A-Za-z0-9_-]+)(?:\/([a-z]+))?$/.exec(path);
  if (channel && (!channel[2] || (CHANNEL_TABS as readonly string[]).includes(channel[2]))) {
    const tab = (channel[2] ?? "pairing") as ChannelTab;
    return { title: "Channel", render: () => <ChannelDetailPage id={channel[1]!} tab={tab} /> };
  }
  if (path === "/audit") return { title: "Audit log", render: () => <AuditPage /> };
  if (path === "/workspaces") return { title: "Workspaces", render: () => <WorkspacesPage /> };
  if (path === "/workspaces/new") return { title: "New workspace", render: () => <WorkspaceEditPage /> };
  const thread = /^\/workspaces\/([A-Za-z0-9_-]+)\/threads\/([A-Za-z0-9_-]+)$/.exec(path);
  if (thread) return { title: "Thread", render: () => <ThreadPage workspaceId={thread[1]!} threadId={thread[2]!} /> };
  const workspace = /^\/workspaces\/([A-Za-z0-9_-]+)$/.exec(path);
  if (workspace) return { title: "Workspace", render: () => <WorkspaceEditPage id={workspace[1]!} /> };
  return {
    title: "Not found",
    render: () => (
      <EmptyState title="There is no page at this address.">
        <Link href="/">Go to the overview</Link>
      </EmptyState>
    ),
  };
}
