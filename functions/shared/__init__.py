"""The thin layer every function shares: config, database, queries, events, errors."""
