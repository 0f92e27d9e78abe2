CREATE TABLE `channel_stats` (
	`channel_id` text NOT NULL,
	`hour` integer NOT NULL,
	`messages_in` integer DEFAULT 0 NOT NULL,
	`messages_out` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`pairing_requests` integer DEFAULT 0 NOT NULL,
	`active_users` integer DEFAULT 0 NOT NULL,
	`users_24h` integer DEFAULT 0 NOT NULL,
	`users_7d` integer DEFAULT 0 NOT NULL,
	`latency` text DEFAULT '[]' NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`channel_id`, `hour`)
);
--> statement-breakpoint
CREATE INDEX `channel_stats_hour_idx` ON `channel_stats` (`hour`);