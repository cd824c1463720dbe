"""The two implementations of reader.db.Database: SQLite (embedded) and PostgreSQL (many nodes)."""
