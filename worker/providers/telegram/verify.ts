// Telegram sends back the per-channel `secret_token` in a header; there is no body signature.
import { timingSafeEqual } from "../../crypto/encoding";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

export function verifyTelegramSecret(headers: Headers, expected: string): boolean {
  const given = headers.get(SECRET_HEADER);
  return given !== null && timingSafeEqual(given, expected);
}
