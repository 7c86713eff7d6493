-- Reminder delivery state (claimed once per task and remind time) and in-app notifications.
CREATE TABLE reminder_deliveries (
  task_id UUID NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  remind_at TIMESTAMPTZ NOT NULL,
  event_id UUID NOT NULL UNIQUE,           -- deterministic from (task_id, remind_at)
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  email_status TEXT NOT NULL DEFAULT 'pending'
    CONSTRAINT ck_reminder_email_status CHECK (email_status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
  email_message_id TEXT,
  email_error TEXT,
  in_app_status TEXT NOT NULL DEFAULT 'pending'
    CONSTRAINT ck_reminder_in_app_status CHECK (in_app_status IN ('pending', 'sent', 'skipped')),
  deferred_until TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (task_id, remind_at)
);
CREATE INDEX idx_reminder_deliveries_user_id ON reminder_deliveries (user_id);
CREATE TRIGGER reminder_deliveries_updated_at BEFORE UPDATE ON reminder_deliveries
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE notifications (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  task_id UUID REFERENCES tasks(id) ON DELETE SET NULL,
  kind TEXT NOT NULL CONSTRAINT ck_notifications_kind CHECK (kind IN ('reminder')),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  source_event_id UUID UNIQUE,             -- the reminder that produced it: one notification per reminder
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  read_at TIMESTAMPTZ
);
CREATE INDEX idx_notifications_user_unread ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;
CREATE INDEX idx_notifications_user_created ON notifications (user_id, created_at DESC);
