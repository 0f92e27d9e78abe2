-- A thread's last_message_at follows its newest answer, set by the database as the answer is
-- stored: storing an answer (from an agent turn or the push API) is then one statement, not two.
CREATE TRIGGER `messages_touch_thread` AFTER INSERT ON `messages` WHEN NEW.`role` = 'assistant'
BEGIN
  UPDATE `threads` SET `last_message_at` = NEW.`created_at` WHERE `id` = NEW.`thread_id`;
END;
