// Lark message `content` is itself a JSON string: `{"text": "…"}` for text, a title plus
// paragraphs of elements for rich text ("post"). Both directions live here.

interface PostElement {
  tag?: string;
  text?: string;
  href?: string;
  user_id?: string;
  user_name?: string;
}

interface PostBody {
  title?: string;
  content?: PostElement[][];
}

/** The plain text of an inbound message (mention placeholders kept), or null for types without text. */
export function textOfContent(messageType: string, content: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  if (messageType === "text") {
    const text = (parsed as { text?: unknown }).text;
    return typeof text === "string" ? text : null;
  }
  if (messageType === "post") return textOfPost(parsed as PostBody | Record<string, PostBody>);
  return null;
}

/** Received posts are `{title, content}`; sent ones are wrapped per locale (`{"zh_cn": {…}}`): both are read. */
function textOfPost(post: PostBody | Record<string, PostBody>): string | null {
  const body: PostBody | undefined = Array.isArray((post as PostBody).content) ? (post as PostBody) : Object.values(post as Record<string, PostBody>)[0];
  if (!body || !Array.isArray(body.content)) return null;
  const lines = body.content.map((paragraph) => (Array.isArray(paragraph) ? paragraph.map(textOfElement).join("") : ""));
  if (body.title) lines.unshift(body.title);
  return lines.join("\n");
}

function textOfElement(element: PostElement): string {
  switch (element.tag) {
    case "text":
      return element.text ?? "";
    case "a":
      return element.text && element.href && element.text !== element.href ? `${element.text} (${element.href})` : (element.href ?? element.text ?? "");
    case "at":
      // `user_id` is the placeholder (`@_user_1`) that the mentions list resolves.
      return element.user_id ?? (element.user_name ? `@${element.user_name}` : "");
    default:
      return ""; // images, media, emoji: no text to pass on
  }
}

/**
 * The `content` of an outbound text message. Lark reads `<at user_id="…">` tags in text, so an
 * agent echoing user input could ping a whole group (`user_id="all"`): a zero-width space after
 * `<` keeps such a tag as plain text.
 */
export function larkTextContent(text: string): string {
  return JSON.stringify({ text: text.replace(/<(\/?at\b)/gi, "<\u200b$1") });
}
