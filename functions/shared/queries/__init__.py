"""The only place with SQL: plain `(conn, ...)` functions over the Core tables, one module per entity."""
