-- pgbench script: the chat service's hot paths.
\set room random(1, 2000)
\set user random(1, 20000)
SELECT id, author_id, body, created_at FROM messages WHERE room_id = :room ORDER BY created_at DESC LIMIT 50;
SELECT id, display FROM users WHERE id = :user;
INSERT INTO messages (room_id, author_id, body) VALUES (:room, :user, 'hello from pgbench');
UPDATE users SET last_seen = now() WHERE id = :user;
