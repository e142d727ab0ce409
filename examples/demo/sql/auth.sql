-- The demo's auth database (sso-prod's schema in miniature): users, credentials, sessions, login_events.
CREATE TABLE users (
  id          bigserial PRIMARY KEY,
  username    text NOT NULL UNIQUE,
  email       text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  disabled    boolean NOT NULL DEFAULT false
);
CREATE TABLE credentials (
  user_id       bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  password_hash text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Sessions expire and are deleted, so their row count falls in normal operation: not a validation table.
CREATE TABLE sessions (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE TABLE login_events (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  succeeded   boolean NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX login_events_user_at_idx ON login_events (user_id, at DESC);

INSERT INTO users (username, email, created_at)
SELECT 'user' || g, 'user' || g || '@example.com', now() - (g || ' hours')::interval
FROM generate_series(1, 5000) g;
INSERT INTO credentials (user_id, password_hash)
SELECT id, md5('password-' || id) FROM users;
INSERT INTO sessions (user_id, token_hash, created_at, expires_at)
SELECT 1 + (g * 7919) % 5000, md5('session-' || g), now() - ((g % 720) || ' minutes')::interval,
       now() + ((720 - g % 720) || ' minutes')::interval
FROM generate_series(1, 3000) g;
INSERT INTO login_events (user_id, at, succeeded)
SELECT 1 + (g * 7907) % 5000, now() - ((10000 - g) || ' minutes')::interval, g % 17 <> 0
FROM generate_series(1, 10000) g;
ANALYZE;

-- The rightsize role (created with the chat schema) counts rows of sso-prod's validation tables.
GRANT SELECT ON users, credentials, login_events TO rightsize;
