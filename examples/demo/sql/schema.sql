-- The demo's chat database (mandible-prod's schema in miniature): users, chat_rooms, messages.
CREATE TABLE users (
  id          bigserial PRIMARY KEY,
  email       text NOT NULL UNIQUE,
  display     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz
);
CREATE TABLE chat_rooms (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  owner_id    bigint NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE messages (
  id          bigserial PRIMARY KEY,
  room_id     bigint NOT NULL REFERENCES chat_rooms(id),
  author_id   bigint NOT NULL REFERENCES users(id),
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_room_created_idx ON messages (room_id, created_at DESC);
CREATE INDEX messages_author_idx ON messages (author_id);
CREATE INDEX chat_rooms_owner_idx ON chat_rooms (owner_id);
CREATE INDEX users_last_seen_idx ON users (last_seen);  -- never used by the workload: reported as unused

INSERT INTO users (email, display, created_at, last_seen)
SELECT 'user' || g || '@example.com', 'User ' || g, now() - (g || ' minutes')::interval, now() - ((g % 1440) || ' minutes')::interval
FROM generate_series(1, 20000) g;
INSERT INTO chat_rooms (name, owner_id)
SELECT 'room-' || g, 1 + (g * 7919) % 20000 FROM generate_series(1, 2000) g;
INSERT INTO messages (room_id, author_id, body, created_at)
SELECT 1 + (g * 31) % 2000, 1 + (g * 7907) % 20000, 'message ' || g || ' ' || md5(g::text), now() - ((200000 - g) || ' seconds')::interval
FROM generate_series(1, 200000) g;
ANALYZE;

-- Least-privilege monitoring role, as documented for production (the throwaway server trusts local
-- connections, so the demo's provider configuration sets no password).
CREATE ROLE rightsize LOGIN PASSWORD 'rightsize-demo';
GRANT pg_monitor TO rightsize;
-- rightsize_db_topology's validation counts rows of the named tables: it needs SELECT on them.
GRANT SELECT ON users, chat_rooms, messages TO rightsize;
