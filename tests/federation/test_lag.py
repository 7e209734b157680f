"""The admins' delivery lag (moot/federation/lag.py) on a real database of each backend:
what waits for an instance follows the delivery worker's rule (named inboxes, followers of
a community, every instance), starting at the worker's cursor; and the states."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from moot import auth
from moot.actions import communities
from moot.actions.accounts import create_local_user
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Connection, Database
from moot.db.types import utcnow
from moot.errors import ErrorCode
from moot.federation.delivery_state import DEAD_AFTER, QueueState, save_state
from moot.federation.lag import SCAN, Lag, delivery_lag, known_instances
from moot.federation.objects.common import instance_id_for
from moot.federation.outbox import enqueue
from moot.federation.policy import read_policy
from tests.servers import migrated_database

HOST = "lag.test"


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    async with migrated_database(request.param, HOST) as database:
        yield database


async def _community(tx: Connection) -> int:
    settings = Settings(hostname=HOST)
    password_hash = auth.hash_password("password-123")
    person_id, user_id = await create_local_user(tx, settings, "founder", password_hash)
    local_user = await tx.fetch_one(sa.select(m.local_user).where(m.local_user.c.id == user_id))
    person = await tx.fetch_one(sa.select(m.person).where(m.person.c.id == person_id))
    assert local_user is not None and person is not None
    viewer = auth.Viewer(local_user=local_user, person=person, token="")
    made = await communities.create_community(
        tx, settings, viewer, {"name": "trains", "title": "Trains"}
    )
    return int(made["id"])


async def _remote_follower(tx: Connection, domain: str, community_id: int) -> None:
    instance_id = await instance_id_for(tx, domain)
    person_id = await tx.scalar(
        sa.insert(m.person)
        .values(
            name="reader",
            local=False,
            actor_id=f"http://{domain}/u/reader",
            inbox_url=f"http://{domain}/u/reader/inbox",
            shared_inbox_url=f"http://{domain}/inbox",
            instance_id=instance_id,
            published=utcnow(),
        )
        .returning(m.person.c.id)
    )
    await tx.execute(
        sa.insert(m.community_follower).values(
            community_id=community_id, person_id=person_id, published=utcnow()
        )
    )


async def _site(tx: Connection, domain: str) -> None:
    await tx.execute(
        sa.insert(m.site).values(
            name=domain,
            actor_id=f"http://{domain}/",
            inbox_url=f"http://{domain}/site_inbox",
            instance_id=await instance_id_for(tx, domain),
            published=utcnow(),
            last_refreshed_at=utcnow(),
        )
    )


def _activity(n: int) -> dict[str, str]:
    return {"id": f"http://{HOST}/activities/like/{n}", "type": "Like", "object": "x"}


async def _lags(database: Database, now_after: timedelta = timedelta(0)) -> dict[str, Lag]:
    async with database.connection() as conn:
        policy = await read_policy(conn, HOST)
        known = await known_instances(conn, HOST)
        lags = await delivery_lag(conn, known, policy, utcnow() + now_after)
    return {lag.known.domain: lag for lag in lags}


async def test_waiting_follows_the_workers_rule(db: Database) -> None:
    signer = f"http://{HOST}/"
    async with db.transaction() as tx:
        community_id = await _community(tx)
        await _remote_follower(tx, "peer.test", community_id)
        await _site(tx, "peer.test")
        await instance_id_for(tx, "other.test")
        before = utcnow()
        await enqueue(tx, _activity(1), signer, inboxes=["http://peer.test/u/a/inbox"])
        await enqueue(tx, _activity(2), signer, inboxes=["http://other.test/inbox"])
        await enqueue(tx, _activity(3), signer, followers_of=community_id)
        await enqueue(tx, _activity(4), signer, all_instances=True)
    lags = await _lags(db, timedelta(minutes=3))
    assert HOST not in lags
    peer, other = lags["peer.test"], lags["other.test"]
    # No worker ran yet: both start where a worker would, before the outbox rows.
    assert (peer.known.queue, peer.cursor, other.cursor) == (None, 0, 0)
    # Named inbox, follower of the community, every instance (peer has a site inbox).
    assert (peer.waiting, peer.counted_all, peer.state) == (3, True, "ok")
    # other.test is named once; it has no follower and no known site inbox.
    assert other.waiting == 1
    assert peer.oldest_waiting is not None and peer.oldest_waiting >= before
    assert peer.lag is not None and timedelta(minutes=3) <= peer.lag < timedelta(minutes=4)

    # Delivery moved past the first two rows, failing meanwhile.
    async with db.transaction() as tx:
        first_two = await tx.fetch_all(
            sa.select(m.sent_activity.c.id).order_by(m.sent_activity.c.id).limit(2)
        )
        await save_state(
            tx,
            QueueState(
                instance_id=int(peer.known.row["id"]),
                last_successful_id=int(first_two[1]["id"]),
                fail_count=2,
                next_retry=utcnow() + timedelta(seconds=30),
            ),
        )
    peer = (await _lags(db))["peer.test"]
    assert (peer.waiting, peer.state, peer.fail_count) == (2, "failing", 2)
    assert peer.next_retry is not None


async def test_nothing_waiting_is_no_lag_and_states(db: Database) -> None:
    async with db.transaction() as tx:
        await enqueue(tx, _activity(1), f"http://{HOST}/", inboxes=["http://new.test/inbox"])
        # Known after the activity was written: its worker starts after it.
        new_id = await instance_id_for(tx, "new.test")
        await instance_id_for(tx, "quiet.test")
        await tx.execute(
            sa.update(m.instance)
            .where(m.instance.c.domain == "quiet.test")
            .values(published=utcnow() - DEAD_AFTER - timedelta(hours=1))
        )
        await instance_id_for(tx, "bad.test")
        await tx.execute(
            sa.insert(m.federation_blocklist).values(
                instance_id=await instance_id_for(tx, "bad.test"), published=utcnow()
            )
        )
    lags = await _lags(db)
    new = lags["new.test"]
    assert new.cursor > 0 and (new.waiting, new.lag) == (0, timedelta(0))
    assert int(new.known.row["id"]) == new_id
    assert lags["quiet.test"].state == "dead"
    bad = lags["bad.test"]
    assert (bad.state, bad.refusal) == ("blocked", ErrorCode.DOMAIN_BLOCKED)
    assert bad.known.blocked and not bad.known.allowed


async def test_a_long_outbox_is_counted_as_a_floor(db: Database) -> None:
    async with db.transaction() as tx:
        await instance_id_for(tx, "far.test")
        await instance_id_for(tx, "near.test")
    async with db.transaction() as tx:
        for n in range(SCAN + 5):
            await enqueue(tx, _activity(n), f"http://{HOST}/", inboxes=["http://far.test/inbox"])
    lags = await _lags(db)
    far, near = lags["far.test"], lags["near.test"]
    assert (far.waiting, far.counted_all) == (SCAN, False)
    assert far.lag is not None  # its oldest waiting activity was among those read
    # Nothing for near.test among the rows read, but more follow: not measured.
    assert (near.waiting, near.counted_all, near.lag) == (0, False, None)
