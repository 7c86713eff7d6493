-- A user's task list in its common orders straight from an index: newest first (the default) and by due date.
CREATE INDEX idx_tasks_user_created ON tasks (user_id, created_at, id);
CREATE INDEX idx_tasks_user_due ON tasks (user_id, due_date, id);
