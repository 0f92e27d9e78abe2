CREATE TABLE `workspace_api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspace_api_keys_hash_idx` ON `workspace_api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `workspace_api_keys_workspace_idx` ON `workspace_api_keys` (`workspace_id`);--> statement-breakpoint
ALTER TABLE `channel_users` ADD `dm_chat_id` text;--> statement-breakpoint
ALTER TABLE `chat_routes` ADD `chat_id` text;--> statement-breakpoint
CREATE INDEX `chat_routes_active_idx` ON `chat_routes` (`active_thread_id`);