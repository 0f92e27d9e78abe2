import { describe, expect, it } from "vitest";
import { accessSettingsSchema, decideAccess, type AccessSettings } from "../../worker/core/policy";
import type { InboundMessage } from "../../worker/core/types";

const defaults = accessSettingsSchema.parse({});

function message(type: "direct" | "group", addressedToBot = type === "direct", chatId = "42"): InboundMessage {
  return { eventId: "1", chat: { id: chatId, type }, sender: { id: "7" }, address: chatId, text: "hi", addressedToBot, sentAt: 0 };
}

const settings = (overrides: Partial<AccessSettings>) => ({ ...defaults, ...overrides });

describe("DM policy", () => {
  it("defaults to pairing for unknown and pending users", () => {
    expect(defaults.dmPolicy).toBe("pairing");
    expect(decideAccess(defaults, message("direct"), undefined)).toEqual({ action: "pair" });
    expect(decideAccess(defaults, message("direct"), "pending")).toEqual({ action: "pair" });
  });

  it("lets approved users through under pairing and allowlist", () => {
    expect(decideAccess(defaults, message("direct"), "approved")).toEqual({ action: "allow" });
    expect(decideAccess(settings({ dmPolicy: "allowlist" }), message("direct"), "approved")).toEqual({ action: "allow" });
  });

  it("refuses unknown users under allowlist, with a notice", () => {
    expect(decideAccess(settings({ dmPolicy: "allowlist" }), message("direct"), undefined)).toMatchObject({
      action: "refuse",
      notice: "not-allowed",
    });
  });

  it("opens to everyone under open, except disabled users", () => {
    expect(decideAccess(settings({ dmPolicy: "open" }), message("direct"), undefined)).toEqual({ action: "allow" });
    expect(decideAccess(settings({ dmPolicy: "open" }), message("direct"), "disabled")).toMatchObject({ action: "refuse", notice: "disabled" });
  });

  it("drops every DM when disabled", () => {
    expect(decideAccess(settings({ dmPolicy: "disabled" }), message("direct"), "approved")).toMatchObject({ action: "drop" });
  });

  it("refuses a disabled user under pairing instead of pairing them again", () => {
    expect(decideAccess(defaults, message("direct"), "disabled")).toMatchObject({ action: "refuse", notice: "disabled" });
  });
});

describe("group policy", () => {
  it("defaults to disabled with require-mention on", () => {
    expect(defaults.groupPolicy).toBe("disabled");
    expect(defaults.requireMention).toBe(true);
    expect(decideAccess(defaults, message("group", true), "approved")).toMatchObject({ action: "drop", reason: expect.stringContaining("disabled") });
  });

  it("requires a mention unless turned off", () => {
    const open = settings({ groupPolicy: "open" });
    expect(decideAccess(open, message("group", false), undefined)).toMatchObject({ action: "drop", reason: expect.stringContaining("mention") });
    expect(decideAccess(open, message("group", true), undefined)).toEqual({ action: "allow" });
    expect(decideAccess({ ...open, requireMention: false }, message("group", false), undefined)).toEqual({ action: "allow" });
  });

  it("allows only listed groups under allowlist", () => {
    const allowlist = settings({ groupPolicy: "allowlist", allowedGroups: ["-100"] });
    expect(decideAccess(allowlist, message("group", true, "-100"), undefined)).toEqual({ action: "allow" });
    expect(decideAccess(allowlist, message("group", true, "-200"), undefined)).toMatchObject({ action: "drop", reason: expect.stringContaining("-200") });
  });

  it("refuses a disabled user in a group that would otherwise answer", () => {
    expect(decideAccess(settings({ groupPolicy: "open" }), message("group", true), "disabled")).toMatchObject({ action: "refuse" });
  });
});
