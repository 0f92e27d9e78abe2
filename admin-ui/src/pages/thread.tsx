// One thread of a workspace: its id (to copy for the push API), who it belongs to, and its
// messages, newest page first and older pages on demand, shown oldest at the top like a chat.
import { useState } from "preact/hooks";
import { CopyButton } from "../components/copy-button";
import { PageHeader } from "../components/layout";
import { Link } from "../components/link";
import { EmptyState, ErrorBanner, ListStates, Loading } from "../components/states";
import { api, ApiError } from "../lib/api";
import { dateTime } from "../lib/format";
import { useAction, useResource } from "../lib/hooks";
import type { Thread, ThreadMessage } from "../lib/types";

const PAGE_SIZE = 50;

interface Page {
  messages: ThreadMessage[];
  nextCursor: string | null;
}

export function ThreadPage({ workspaceId, threadId }: { workspaceId: string; threadId: string }) {
  const thread = useResource(() => api.get<{ thread: Thread }>(`/workspaces/${workspaceId}/threads/${threadId}`).then((body) => body.thread), [workspaceId, threadId]);
  const [older, setOlder] = useState<ThreadMessage[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const first = useResource(
    () => {
      setOlder([]);
      return api.get<Page>(`/workspaces/${workspaceId}/threads/${threadId}/messages?limit=${PAGE_SIZE}`).then((page) => {
        setCursor(page.nextCursor);
        return page.messages;
      });
    },
    [workspaceId, threadId],
  );
  const more = useAction();
  const loadOlder = () =>
    more.run(async () => {
      const page = await api.get<Page>(`/workspaces/${workspaceId}/threads/${threadId}/messages?${new URLSearchParams({ limit: String(PAGE_SIZE), before: cursor! })}`);
      setOlder([...older, ...page.messages]);
      setCursor(page.nextCursor);
    });
  const back = { href: `/workspaces/${workspaceId}`, label: "Workspace" };
  if (thread.error instanceof ApiError && thread.error.status === 404) {
    return (
      <>
        <PageHeader title="Thread not found" back={back} />
        <p>This thread does not exist (any more).</p>
      </>
    );
  }
  const data = thread.data;
  // Newest first from the API; a conversation reads oldest first.
  const shown = [...(first.data ?? []), ...older].reverse();
  return (
    <>
      <PageHeader title={data?.title ?? "Thread"} back={back} />
      {thread.error && <ErrorBanner error={thread.error} onRetry={thread.reload} />}
      {!data && !thread.error && <Loading label="Loading thread…" />}
      {data && (
        <dl class="facts">
          <div>
            <dt>Thread id</dt>
            <dd class="id-cell">
              <code id="thread-id" data-thread-id>
                {data.id}
              </code>
              <CopyButton value={data.id} targetId="thread-id" label="Copy id" />
            </dd>
          </div>
          <div>
            <dt>Kind</dt>
            <dd>{data.kind === "shared" ? "Shared (bindable as a channel's default thread)" : "Personal"}</dd>
          </div>
          {data.owner && (
            <div>
              <dt>Belongs to</dt>
              <dd>
                {data.owner.chat.type === "direct" ? (data.owner.userName ?? `user ${data.owner.chat.id}`) : `group ${data.owner.chat.id}`} on{" "}
                <Link href={`/channels/${data.owner.channelId}`}>{data.owner.channelName ?? data.owner.channelId}</Link>
              </dd>
            </div>
          )}
          <div>
            <dt>Push to it</dt>
            <dd>
              <code class="small">POST /push/v1/threads/{data.id}/messages</code>
            </dd>
          </div>
        </dl>
      )}
      <section aria-labelledby="messages-title" class="stack">
        <h2 id="messages-title" class="section-title">
          Messages
        </h2>
        {cursor && (
          <button type="button" class="button" disabled={more.busy} onClick={loadOlder}>
            {more.busy ? "Loading…" : "Load older messages"}
          </button>
        )}
        {more.error && <ErrorBanner error={more.error} />}
        <ListStates resource={first} items={shown} loadingLabel="Loading messages…" empty={<EmptyState title="No messages in this thread yet" />}>
          {(items) => (
            <ol class="messages" aria-label="Messages, oldest first">
              {items.map((message) => (
                <li class={`message message-${message.role}`} key={message.id} data-message-role={message.role}>
                  <span class="message-meta">
                    <strong>{message.role === "assistant" ? "Assistant" : (message.sender?.name ?? (message.sender ? `user ${message.sender.id}` : "User"))}</strong>{" "}
                    <time dateTime={new Date(message.createdAt).toISOString()}>{dateTime(message.createdAt)}</time>
                  </span>
                  <span class="message-text">{message.text}</span>
                </li>
              ))}
            </ol>
          )}
        </ListStates>
      </section>
    </>
  );
}
