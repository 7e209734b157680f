"""Every write route of the v3 API, hit by requests arriving at the same moment.

For each route, on SQLite and PostgreSQL (the session's live `moot serve`), and for a subset
through two processes on one PostgreSQL database (test_two_processes.py): `ROUNDS` rounds of
an identical burst (`N` identical requests in flight together) and a contradicting one (the
values taking turns: +1/0/-1, save/unsave, ban/unban, …). Then:

1. no answer is a 5xx, and every refusal is Lemmy's `{"error": code}` with a code Lemmy
   would answer then (burst.judge);
2. the recount of `moot admin recount` corrects no row (World.audit, after each route);
3. the state read back through the API is one request's outcome, and the counts the API
   shows match the rows they count (checks.py, and each test's `state`).

A failure lists every problem of the route at once, the answers of each burst, and the
exceptions in the server log meanwhile. MOOT_CONCURRENCY_REPORT=1 (with -s) prints that
report for the routes that pass too.
"""
