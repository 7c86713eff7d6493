-- The transactional outbox (events written with their change) and consumer idempotency records.
CREATE TABLE outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- write order; per-key publishing follows it
  event_id UUID NOT NULL UNIQUE,                          -- the CloudEvent id, kept through every attempt
  topic TEXT NOT NULL CHECK (btrim(topic) <> ''),
  partition_key TEXT NOT NULL,
  ce_type TEXT NOT NULL,
  ce_source TEXT NOT NULL,
  ce_subject TEXT,
  ce_time TIMESTAMPTZ NOT NULL,
  extensions JSONB NOT NULL DEFAULT '{}'::jsonb,
  data JSONB NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  published_at TIMESTAMPTZ
);
CREATE INDEX idx_outbox_pending ON outbox (next_attempt_at, id) WHERE published_at IS NULL;
-- per-key ordering asks "is an older event of this topic and key still pending?"
CREATE INDEX idx_outbox_pending_key ON outbox (topic, partition_key, id) WHERE published_at IS NULL;
CREATE INDEX idx_outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE processed_events (
  consumer TEXT NOT NULL,
  event_id TEXT NOT NULL,   -- CloudEvent ids are strings (e.g. Knative's "partition:0/offset:5")
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX idx_processed_events_processed_at ON processed_events (processed_at);
