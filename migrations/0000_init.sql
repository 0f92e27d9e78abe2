CREATE TABLE `channel_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel_id` text NOT NULL,
	`level` text NOT NULL,
	`event` text NOT NULL,
	`message` text NOT NULL,
	`detail` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `channel_logs_channel_idx` ON `channel_logs` (`channel_id`,`id`);--> statement-breakpoint
CREATE TABLE `channel_users` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`provider_user_id` text NOT NULL,
	`username` text,
	`display_name` text,
	`state` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`approved_at` integer,
	`last_seen_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channel_users_provider_idx` ON `channel_users` (`channel_id`,`provider_user_id`);--> statement-breakpoint
CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`workspace_id` text NOT NULL,
	`thread_id` text,
	`display_name` text,
	`account_id` text NOT NULL,
	`account_name` text,
	`account_info` text DEFAULT '{}' NOT NULL,
	`credentials_enc` text NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'stopped' NOT NULL,
	`status_reason` text,
	`status_at` integer,
	`last_inbound_at` integer,
	`last_outbound_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `channels_account_idx` ON `channels` (`provider`,`account_id`);--> statement-breakpoint
CREATE TABLE `chat_routes` (
	`channel_id` text NOT NULL,
	`chat_key` text NOT NULL,
	`active_thread_id` text,
	`last_listing` text DEFAULT '[]' NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`channel_id`, `chat_key`)
);
--> statement-breakpoint
CREATE TABLE `invite_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`code` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`expires_at` integer NOT NULL,
	`redeemed_by` text,
	`redeemed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invite_codes_code_idx` ON `invite_codes` (`channel_id`,`code`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`thread_id` text NOT NULL,
	`role` text NOT NULL,
	`text` text NOT NULL,
	`channel_id` text,
	`sender_id` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `messages_thread_idx` ON `messages` (`thread_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `missed_replies` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`chat_key` text NOT NULL,
	`thread_id` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `missed_replies_chat_idx` ON `missed_replies` (`channel_id`,`chat_key`,`thread_id`);--> statement-breakpoint
CREATE TABLE `pairing_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`user_id` text NOT NULL,
	`chat_id` text NOT NULL,
	`code` text NOT NULL,
	`status` text NOT NULL,
	`held_message` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `pairing_channel_idx` ON `pairing_requests` (`channel_id`,`status`);--> statement-breakpoint
CREATE INDEX `pairing_user_idx` ON `pairing_requests` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `threads` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`title` text NOT NULL,
	`kind` text NOT NULL,
	`owner_key` text,
	`backend_ref` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`last_message_at` integer
);
--> statement-breakpoint
CREATE INDEX `threads_owner_idx` ON `threads` (`owner_key`,`last_message_at`);--> statement-breakpoint
CREATE INDEX `threads_workspace_idx` ON `threads` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`backend` text NOT NULL,
	`config` text DEFAULT '{}' NOT NULL,
	`secrets_enc` text,
	`agents` text DEFAULT '[]' NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
