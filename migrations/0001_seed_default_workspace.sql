-- The default workspace on the built-in offline echo backend, so a fresh install answers at once.
INSERT OR IGNORE INTO `workspaces` (`id`, `name`, `backend`, `config`, `agents`, `is_default`)
VALUES ('ws_default', 'Default (echo)', 'echo', '{}', '[]', 1);
