-- Every validation rule of the data model as a named database constraint, so no writer can bypass it.

CREATE FUNCTION is_valid_timezone(tz TEXT) RETURNS BOOLEAN AS $$
BEGIN
  PERFORM now() AT TIME ZONE tz;
  RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN false;
END
$$ LANGUAGE plpgsql STABLE;

-- an integer array is either absent or a non-empty list of values in [lo, hi] without NULLs
CREATE FUNCTION int_array_within(a INTEGER[], lo INTEGER, hi INTEGER) RETURNS BOOLEAN AS $$
  SELECT a IS NULL
      OR (cardinality(a) > 0 AND array_position(a, NULL) IS NULL AND lo <= ALL(a) AND hi >= ALL(a))
$$ LANGUAGE sql IMMUTABLE;

ALTER TABLE users
  ADD CONSTRAINT ck_users_timezone CHECK (is_valid_timezone(timezone)),
  ADD CONSTRAINT ck_users_email CHECK (email IS NULL OR email LIKE '%_@_%');

ALTER TABLE tasks
  ADD CONSTRAINT ck_tasks_title_not_blank CHECK (btrim(title) <> ''),
  ADD CONSTRAINT ck_tasks_status CHECK (status IN ('pending', 'in_progress', 'completed')),
  ADD CONSTRAINT ck_tasks_priority CHECK (priority IN ('none', 'low', 'medium', 'high')),
  ADD CONSTRAINT ck_tasks_reminder_before_due CHECK (reminder_at IS NULL OR due_date IS NULL OR reminder_at < due_date);

-- recurring instances outlive a deleted parent: the link is cleared instead of blocking the delete
ALTER TABLE tasks DROP CONSTRAINT tasks_parent_task_id_fkey;
ALTER TABLE tasks ADD CONSTRAINT tasks_parent_task_id_fkey
  FOREIGN KEY (parent_task_id) REFERENCES tasks(id) ON DELETE SET NULL;

ALTER TABLE tags
  ADD CONSTRAINT ck_tags_name_not_blank CHECK (btrim(name) <> ''),
  ADD CONSTRAINT ck_tags_color_hex CHECK (color IS NULL OR color ~ '^#[0-9A-Fa-f]{6}$');
CREATE UNIQUE INDEX idx_tags_name_ci ON tags (user_id, lower(name));

ALTER TABLE recurrence_patterns
  ADD CONSTRAINT ck_recurrence_interval CHECK (interval >= 1),
  ADD CONSTRAINT ck_recurrence_day_of_week CHECK (int_array_within(day_of_week, 0, 6)),
  ADD CONSTRAINT ck_recurrence_day_of_month CHECK (int_array_within(day_of_month, 1, 31)),
  ADD CONSTRAINT ck_recurrence_month_of_year CHECK (int_array_within(month_of_year, 1, 12)),
  ADD CONSTRAINT ck_recurrence_end_after_start CHECK (end_date IS NULL OR end_date > start_date),
  ADD CONSTRAINT ck_recurrence_count CHECK (count IS NULL OR count >= 1);

ALTER TABLE audit_logs
  ADD CONSTRAINT ck_audit_entity_type_not_blank CHECK (btrim(entity_type) <> '');

ALTER TABLE notification_preferences
  ADD CONSTRAINT ck_prefs_lead_time CHECK (reminder_lead_time >= 0),
  ADD CONSTRAINT ck_prefs_quiet_hours_pair CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL));
