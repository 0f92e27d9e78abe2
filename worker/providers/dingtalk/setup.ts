// The steps to connect a channel in the DingTalk developer console. DingTalk has no API to set a
// robot's message receiving address, so the admin pastes it; the first signed callback proves it.
import type { AccountInfo, SetupGuide } from "../types";

/** Steps in the console's words, for the app this channel's AppKey belongs to. */
export function dingTalkSetupGuide(account: AccountInfo, webhookUrl: string): SetupGuide {
  return {
    steps: [
      `At https://open-dev.dingtalk.com, open App Development → the internal app with the AppKey (Client ID) ${account.id}.`,
      "Add Application Capabilities → Robot, fill in the robot's name and description.",
      `In the robot's configuration choose the HTTP mode for receiving messages and set the message receiving address to ${webhookUrl}. Publish the robot.`,
      "Permission Management: request the permission to send robot messages in the enterprise (qyapi_robot_sendmsg). Answers normally go through the session webhook of the question; pushes, late answers and answers after a restart use the robot send API, which needs it.",
      "Version Management and Release: create a version, choose who may use the app, and publish it.",
      "In DingTalk, search for the robot and send it a message. This channel switches to running with the first signed message; under the pairing DM policy you get a code: approve it under Pairing Codes.",
      "For a group: group settings → Robots → add the robot, allow groups in this channel's settings, and @mention it.",
    ],
  };
}
