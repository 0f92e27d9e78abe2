// Zalo sends back the per-channel `secret_token` in a header (not Telegram's header name); there
// is no body signature and no timestamp.
import { timingSafeEqual } from "../../crypto/encoding";

export const SECRET_HEADER = "x-bot-api-secret-token";

export function verifyZaloSecret(headers: Headers, expected: string): boolean {
  const given = headers.get(SECRET_HEADER);
  return given !== null && timingSafeEqual(given, expected);
}
