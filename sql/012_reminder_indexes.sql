-- schedule-reminders looks only at open tasks with a reminder time: an explicit reminder_at, or a due date (minus
-- the user's lead time); these partial indexes hold just those rows.
CREATE INDEX idx_tasks_reminder_due ON tasks (reminder_at) WHERE reminder_at IS NOT NULL AND status <> 'completed';
CREATE INDEX idx_tasks_due_for_reminder ON tasks (due_date)
  WHERE reminder_at IS NULL AND due_date IS NOT NULL AND status <> 'completed';
