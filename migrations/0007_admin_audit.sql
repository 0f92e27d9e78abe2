CREATE TABLE `admin_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`channel_id` text DEFAULT '' NOT NULL,
	`workspace_id` text,
	`target_type` text NOT NULL,
	`target_id` text,
	`summary` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `admin_audit_channel_idx` ON `admin_audit` (`channel_id`,`id`);--> statement-breakpoint
CREATE INDEX `admin_audit_workspace_idx` ON `admin_audit` (`workspace_id`,`id`);