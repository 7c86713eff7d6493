-- send-reminder: when the e-mail was handed to SES (a 'sending' row older than the SES call's timeout means the
-- sender stopped mid-call), and the deliveries waiting for a quiet window to end, which schedule-reminders re-emits.
ALTER TABLE reminder_deliveries ADD COLUMN email_attempted_at TIMESTAMPTZ;
CREATE INDEX idx_reminder_deliveries_deferred ON reminder_deliveries (deferred_until)
  WHERE deferred_until IS NOT NULL;

-- The sweep that completes patterns whose end date has passed looks only at active patterns with an end date.
CREATE INDEX idx_recurrence_patterns_active_end ON recurrence_patterns (end_date)
  WHERE status = 'active' AND end_date IS NOT NULL;
