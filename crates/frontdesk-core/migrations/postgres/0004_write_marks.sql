-- 0004: each write on the clinic's server adds a mark (a random id) in its own transaction, so
-- that a desk whose connection is lost while the write commits can ask, on a new connection,
-- whether it was saved, and say so (saved once, or not at all). Marks are kept for a day; each
-- write clears away the older ones. PostgreSQL only: SQLite's file cannot lose a connection.

CREATE TABLE write_marks (
    id  BIGINT      PRIMARY KEY,
    at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX write_marks_by_time ON write_marks (at);
