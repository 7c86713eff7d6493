-- Data model migration 004: full-text search vector, kept by a trigger.
ALTER TABLE tasks ADD COLUMN search_vector TSVECTOR;

CREATE INDEX idx_tasks_search ON tasks USING GIN(search_vector);

CREATE OR REPLACE FUNCTION tasks_search_trigger() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := to_tsvector('english', COALESCE(NEW.title, '') || ' ' || COALESCE(NEW.description, ''));
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER tasks_search_update
  BEFORE INSERT OR UPDATE ON tasks
  FOR EACH ROW EXECUTE FUNCTION tasks_search_trigger();
