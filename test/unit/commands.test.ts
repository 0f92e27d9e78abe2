import { describe, expect, it } from "vitest";
import { helpText, parseCommand } from "../../worker/core/commands";

describe("parseCommand", () => {
  it("reads slash commands with arguments", () => {
    expect(parseCommand("/new Q3 planning", "slash")).toEqual({ name: "new", args: "Q3 planning" });
    expect(parseCommand("  /switch   2 ", "slash")).toEqual({ name: "switch", args: "2" });
    expect(parseCommand("/THREADS", "slash")).toEqual({ name: "threads", args: "" });
  });

  it("accepts /cmd@ourbot and ignores a command addressed to another bot", () => {
    expect(parseCommand("/help@Switch_bot", "slash", "switch_bot")).toEqual({ name: "help", args: "" });
    expect(parseCommand("/help@other_bot", "slash", "switch_bot")).toBeNull();
    expect(parseCommand("/help@other_bot", "slash")).toBeNull();
  });

  it("leaves ordinary text and unknown commands to the agent", () => {
    expect(parseCommand("hello /new", "slash")).toBeNull();
    expect(parseCommand("/deploy now", "slash")).toBeNull();
    expect(parseCommand("", "slash")).toBeNull();
    expect(parseCommand("new", "slash")).toBeNull();
  });

  it("reads Discord's bang syntax and Slack's plain words", () => {
    expect(parseCommand("!switch 3", "bang")).toEqual({ name: "switch", args: "3" });
    expect(parseCommand("/switch 3", "bang")).toBeNull();
    expect(parseCommand("more", "plain")).toEqual({ name: "more", args: "" });
    expect(parseCommand("switch 2", "plain")).toEqual({ name: "switch", args: "2" });
    expect(parseCommand("new Launch plan", "plain")).toEqual({ name: "new", args: "Launch plan" });
  });

  it("does not take a plain-word sentence for a command", () => {
    expect(parseCommand("help me draft an email", "plain")).toBeNull();
    expect(parseCommand("more details please", "plain")).toBeNull();
    expect(parseCommand("threads are confusing", "plain")).toBeNull();
  });
});

describe("helpText", () => {
  it("lists every command in the provider's syntax", () => {
    expect(helpText("slash")).toContain("/switch <n>");
    expect(helpText("bang")).toContain("!more");
    expect(helpText("plain")).toMatch(/^new \[title\]/m);
    for (const syntax of ["slash", "bang", "plain"] as const) {
      expect(helpText(syntax).split("\n")).toHaveLength(7);
    }
  });
});
