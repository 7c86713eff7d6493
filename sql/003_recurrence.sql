-- Data model migration 003: recurrence patterns.
CREATE TYPE recurrence_frequency AS ENUM ('daily', 'weekly', 'monthly', 'yearly', 'custom');
CREATE TYPE recurrence_status AS ENUM ('active', 'completed', 'cancelled');

CREATE TABLE recurrence_patterns (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  frequency recurrence_frequency NOT NULL,
  interval INTEGER NOT NULL DEFAULT 1,
  day_of_week INTEGER[],
  day_of_month INTEGER[],
  month_of_year INTEGER[],
  start_date DATE NOT NULL,
  end_date DATE,
  count INTEGER,
  status recurrence_status NOT NULL DEFAULT 'active',
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

ALTER TABLE tasks ADD COLUMN recurrence_id UUID REFERENCES recurrence_patterns(id);
ALTER TABLE tasks ADD COLUMN parent_task_id UUID REFERENCES tasks(id);
