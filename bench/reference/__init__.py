"""A raw-driver server answering a few of moot's reads and its two hot writes with the same
bytes (issue 12).

It is the yardstick for moot's own cost: a minimal ASGI app under the same uvicorn, asyncpg
(PostgreSQL) or aiosqlite (SQLite) called directly, msgspec for the JSON, and each answer
from one SQL statement. It serves an anonymous viewer only:

- `GET /api/v3/post/list` (type_ All or Local, the sorts but Old, limit, page, page_cursor),
- `GET /api/v3/comment/list` with `post_id` and `max_depth` (the comment tree),
- `GET /api/v3/site`.

and, signed in by moot's login token, the writes `POST /api/v3/post/like` and
`POST /api/v3/comment` (`writes.py`, `commenting.py`: the rows moot changes, in moot's
statements; bench/README.md, 2c).

Anything else is answered 400. Each response carries `x-statements` (1 for a read), the
count moot's request log gives for its own answers. `bench/versus.py` measures the reads side
by side, `bench/versus_writes.py` the writes, and `bench/reference/check.py` compares their
bytes.

    .venv/bin/python -m bench.reference --database-url URL --port 8600
"""
