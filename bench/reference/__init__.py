"""A raw-driver server answering a few of moot's reads with the same bytes (issue 12).

It is the yardstick for moot's own cost: a minimal ASGI app under the same uvicorn, asyncpg
(PostgreSQL) or aiosqlite (SQLite) called directly, msgspec for the JSON, and each answer
from one SQL statement. It serves an anonymous viewer only:

- `GET /api/v3/post/list` (type_ All or Local, the sorts but Old, limit, page, page_cursor),
- `GET /api/v3/comment/list` with `post_id` and `max_depth` (the comment tree),
- `GET /api/v3/site`.

Anything else is answered 400. Each response carries `x-statements` (always 1 here), the
count moot's request log gives for its own answers. `bench/versus.py` measures the two side
by side and `bench/reference/check.py` compares their bytes.

    .venv/bin/python -m bench.reference --database-url URL --port 8600
"""
