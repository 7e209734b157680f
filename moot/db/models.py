"""Every table, declared once with SQLAlchemy Core; migrations are generated from this.

Lemmy's data model kept portable between PostgreSQL and SQLite. Counters and ranks live on
the row they count (post.score, community.subscribers, …) and are changed in the same
transaction as the write that changes them (see moot/actions/).
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.db.types import UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

RANK_DEFAULT = 0.0001


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _fk(name: str, target: str, *, nullable: bool = False, index: bool = False) -> sa.Column[int]:
    return sa.Column(
        name, sa.Integer, sa.ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index
    )


def _when(name: str = "published", *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _flag(name: str, default: bool = False) -> sa.Column[bool]:
    # Defaults live in the database (server_default): statements run on the driver, where
    # SQLAlchemy's client-side defaults would never be applied.
    return sa.Column(
        name, sa.Boolean, nullable=False, server_default=sa.true() if default else sa.false()
    )


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=False, server_default="0")


def _rank(name: str, default: float = RANK_DEFAULT) -> sa.Column[float]:
    return sa.Column(name, sa.Float, nullable=False, server_default=str(default))


instance = sa.Table(
    "instance",
    metadata,
    _id(),
    sa.Column("domain", sa.String(255), nullable=False, unique=True),
    sa.Column("software", sa.String(255)),
    sa.Column("version", sa.String(255)),
    _when(),
    _when("updated", nullable=True),
)

person = sa.Table(
    "person",
    metadata,
    _id(),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("display_name", sa.String(255)),
    sa.Column("pronouns", sa.String(100)),
    sa.Column("avatar", sa.String(2000)),
    sa.Column("banner", sa.String(2000)),
    sa.Column("bio", sa.Text),
    sa.Column("bio_html", sa.Text),
    sa.Column("matrix_user_id", sa.String(255)),
    _flag("banned"),
    _when("ban_expires", nullable=True),
    _flag("deleted"),
    _flag("bot_account"),
    _flag("local", True),
    sa.Column("actor_id", sa.String(2000), nullable=False, unique=True),
    sa.Column("inbox_url", sa.String(2000), nullable=False),
    # Generated when the actor first federates (moot/federation), not on every import.
    sa.Column("public_key", sa.Text),
    sa.Column("private_key", sa.Text),
    _fk("instance_id", "instance.id", index=True),
    _when(),
    _when("updated", nullable=True),
    # Federation: where remote actors receive, and when their JSON was last fetched.
    sa.Column("shared_inbox_url", sa.String(2000)),
    _when("last_refreshed_at", nullable=True),
    _count("post_count"),
    _count("post_score"),
    _count("comment_count"),
    _count("comment_score"),
)
sa.Index("ix_person_lower_name", sa.func.lower(person.c.name), person.c.instance_id)

local_user = sa.Table(
    "local_user",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    sa.Column("password_encrypted", sa.String(255), nullable=False),
    sa.Column("email", sa.String(255), unique=True),
    _flag("show_nsfw"),
    sa.Column("theme", sa.String(100), nullable=False, server_default="browser"),
    sa.Column("default_sort_type", sa.String(32), nullable=False, server_default="Active"),
    sa.Column("default_listing_type", sa.String(32), nullable=False, server_default="Local"),
    sa.Column("interface_language", sa.String(20), nullable=False, server_default="browser"),
    _flag("show_avatars", True),
    _flag("send_notifications_to_email"),
    _flag("show_scores", True),
    _flag("show_bot_accounts", True),
    _flag("show_read_posts", True),
    _flag("email_verified"),
    _flag("accepted_application"),
    sa.Column("totp_2fa_secret", sa.Text),
    _flag("open_links_in_new_tab"),
    _flag("blur_nsfw", True),
    _flag("auto_expand"),
    _flag("infinite_scroll_enabled"),
    _flag("admin"),
    sa.Column("post_listing_mode", sa.String(32), nullable=False, server_default="List"),
    _flag("totp_2fa_enabled"),
    _flag("enable_keyboard_navigation"),
    _flag("enable_animated_images", True),
    _flag("collapse_bot_comments"),
    _when("last_donation_notification"),
    # LocalUserVoteDisplayMode, one-to-one, kept on the same row.
    _flag("vote_display_score"),
    _flag("vote_display_upvotes", True),
    _flag("vote_display_downvotes", True),
    _flag("vote_display_upvote_percentage"),
    # How many rows of local_user_keyword_block and instance_person_block are the member's:
    # a listing adds those filters only when they are not 0, so a member without them pays
    # nothing (moot/actions/keyword_blocks.py, moot/actions/instance_blocks.py).
    sa.Column("keyword_block_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("instance_person_block_count", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("person_id"),
)

# A member's keyword filters (Lemmy 1.0's `blocking_keywords`): posts whose title, body or
# link contains one (case-insensitive) are left out of their listings. `pattern` is the
# keyword lower-cased with LIKE's wildcards escaped, between two `%`.
local_user_keyword_block = sa.Table(
    "local_user_keyword_block",
    metadata,
    _id(),
    _fk("local_user_id", "local_user.id"),
    sa.Column("keyword", sa.String(50), nullable=False),
    sa.Column("pattern", sa.String(120), nullable=False),
    _when(),
    sa.UniqueConstraint("local_user_id", "pattern"),
)

login_token = sa.Table(
    "login_token",
    metadata,
    sa.Column("token", sa.String(1000), primary_key=True),
    _fk("user_id", "local_user.id", index=True),
    _when(),
    sa.Column("ip", sa.String(100)),
    sa.Column("user_agent", sa.String(1000)),
)

# Links mailed to a member: a password reset, or the check of a new address. The table holds
# the SHA-256 of each link's secret, so a copy of the database opens no account.
password_reset_request = sa.Table(
    "password_reset_request",
    metadata,
    _id(),
    sa.Column("token_digest", sa.String(64), nullable=False, unique=True),
    _fk("local_user_id", "local_user.id", index=True),
    _when(),
)

email_verification = sa.Table(
    "email_verification",
    metadata,
    _id(),
    _fk("local_user_id", "local_user.id", index=True),
    sa.Column("email", sa.String(255), nullable=False),
    sa.Column("code_digest", sa.String(64), nullable=False, unique=True),
    _when(),
)

secret = sa.Table(
    "secret",
    metadata,
    _id(),
    sa.Column("jwt_secret", sa.String(255), nullable=False),
)

site = sa.Table(
    "site",
    metadata,
    _id(),
    sa.Column("name", sa.String(20), nullable=False),
    sa.Column("sidebar", sa.Text),
    _when(),
    _when("updated", nullable=True),
    sa.Column("icon", sa.String(2000)),
    sa.Column("banner", sa.String(2000)),
    sa.Column("description", sa.String(150)),
    sa.Column("actor_id", sa.String(2000), nullable=False, unique=True),
    _when("last_refreshed_at"),
    sa.Column("inbox_url", sa.String(2000), nullable=False),
    # Generated when the actor first federates (moot/federation), not on every import.
    sa.Column("public_key", sa.Text),
    sa.Column("private_key", sa.Text),
    _fk("instance_id", "instance.id"),
    sa.Column("content_warning", sa.Text),
)

local_site = sa.Table(
    "local_site",
    metadata,
    _id(),
    _fk("site_id", "site.id"),
    _flag("site_setup"),
    _flag("enable_downvotes", True),
    _flag("enable_nsfw", True),
    _flag("community_creation_admin_only"),
    _flag("require_email_verification"),
    sa.Column("application_question", sa.Text),
    _flag("private_instance"),
    sa.Column("default_theme", sa.String(100), nullable=False, server_default="browser"),
    sa.Column("default_post_listing_type", sa.String(32), nullable=False, server_default="Local"),
    sa.Column("legal_information", sa.Text),
    _flag("hide_modlog_mod_names", True),
    _flag("application_email_admins"),
    sa.Column("slur_filter_regex", sa.Text),
    sa.Column("actor_name_max_length", sa.Integer, nullable=False, server_default="20"),
    _flag("federation_enabled", True),
    _flag("captcha_enabled"),
    sa.Column("captcha_difficulty", sa.String(20), nullable=False, server_default="medium"),
    _when(),
    _when("updated", nullable=True),
    sa.Column(
        "registration_mode", sa.String(32), nullable=False, server_default="RequireApplication"
    ),
    _flag("reports_email_admins"),
    _flag("federation_signed_fetch"),
    # Lemmy 1.0: whether signing in through an OAuth provider may create an account.
    _flag("oauth_registration"),
    sa.Column("default_post_listing_mode", sa.String(32), nullable=False, server_default="List"),
    sa.Column("default_sort_type", sa.String(32), nullable=False, server_default="Active"),
    # LocalSiteRateLimit, one-to-one: capacity and refill interval in seconds per bucket.
    *[
        sa.Column(f"rate_limit_{name}{suffix}", sa.Integer, nullable=False, server_default=str(v))
        for name, cap, secs in (
            ("message", 180, 60),
            ("post", 6, 600),
            ("register", 10, 3600),
            ("image", 6, 3600),
            ("comment", 6, 600),
            ("search", 60, 600),
            ("import_user_settings", 1, 86400),
        )
        for suffix, v in (("", cap), ("_per_second", secs))
    ],
    _when("rate_limit_published"),
    _when("rate_limit_updated", nullable=True),
    # SiteAggregates for local content, kept like every other counter (actions/counters.py).
    _count("users"),
    _count("posts"),
    _count("comments"),
    _count("communities"),
)

# When each periodic job last finished (moot/workers/scheduler.py), so that after a restart
# a job resumes from where it stopped instead of starting over.
job_run = sa.Table(
    "job_run",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    _when("finished"),
)

# Work one process at a time may do, whichever processes run (moot/workers/leases.py):
# delivery to one instance, the inbox, the periodic jobs. The owner renews its lease while
# it works; a lease not renewed by `expires` (its process died) is free for another.
lease = sa.Table(
    "lease",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    _when("expires"),
)

# Rate-limit token buckets counted in the database, for several processes without Redis
# (moot/db/rate_buckets.py). `bucket` names the action and its limit, `client` the address
# group (or the account, for failed logins); capacity and interval are the limit's, so the
# refill and the purge need no other row. Times: whole seconds since 1970, on the
# database's clock.
rate_limit_bucket = sa.Table(
    "rate_limit_bucket",
    metadata,
    sa.Column("bucket", sa.String(100), primary_key=True),
    sa.Column("client", sa.Text, primary_key=True),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("interval_seconds", sa.Integer, nullable=False),
    sa.Column("tokens", sa.Integer, nullable=False),
    sa.Column("credit", sa.BigInteger, nullable=False),
    sa.Column("last_checked", sa.BigInteger, nullable=False),
)

# Change counters several processes compare with what they keep, without Redis: "site" is
# moved by every change of the site's settings (moot/shared_site.py).
generation = sa.Table(
    "generation",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

language = sa.Table(
    "language",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", sa.String(3), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
)

site_language = sa.Table(
    "site_language",
    metadata,
    _fk("site_id", "site.id"),
    _fk("language_id", "language.id"),
    sa.PrimaryKeyConstraint("site_id", "language_id"),
)

local_user_language = sa.Table(
    "local_user_language",
    metadata,
    _fk("local_user_id", "local_user.id"),
    _fk("language_id", "language.id"),
    sa.PrimaryKeyConstraint("local_user_id", "language_id"),
)

# An OAuth 2.0 / OpenID Connect provider members may sign in through (Lemmy 1.0's
# oauth_provider). The client secret never leaves the server.
oauth_provider = sa.Table(
    "oauth_provider",
    metadata,
    _id(),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("issuer", sa.String(2000), nullable=False),
    sa.Column("authorization_endpoint", sa.String(2000), nullable=False),
    sa.Column("token_endpoint", sa.String(2000), nullable=False),
    sa.Column("userinfo_endpoint", sa.String(2000), nullable=False),
    sa.Column("id_claim", sa.String(200), nullable=False),
    sa.Column("client_id", sa.String(500), nullable=False),
    sa.Column("client_secret", sa.String(2000), nullable=False),
    sa.Column("scopes", sa.String(500), nullable=False),
    _flag("auto_verify_email"),
    _flag("account_linking_enabled"),
    _flag("enabled", True),
    _flag("use_pkce"),
    _when(),
    _when("updated", nullable=True),
    # One provider per issuer and client: a second with the same pair would be a duplicate.
    sa.UniqueConstraint("issuer", "client_id"),
)

# A local account's identity at a provider: the provider's id of the person (the `id_claim`
# of its userinfo). One per provider and external id, so two sign-ins racing to create the
# same person's account cannot both link.
oauth_account = sa.Table(
    "oauth_account",
    metadata,
    _fk("local_user_id", "local_user.id", index=True),
    _fk("oauth_provider_id", "oauth_provider.id"),
    sa.Column("oauth_user_id", sa.String(500), nullable=False),
    _when(),
    _when("updated", nullable=True),
    sa.PrimaryKeyConstraint("oauth_provider_id", "oauth_user_id"),
)

tagline = sa.Table(
    "tagline",
    metadata,
    _id(),
    _fk("local_site_id", "local_site.id"),
    sa.Column("content", sa.Text, nullable=False),
    _when(),
    _when("updated", nullable=True),
)

custom_emoji = sa.Table(
    "custom_emoji",
    metadata,
    _id(),
    _fk("local_site_id", "local_site.id"),
    sa.Column("shortcode", sa.String(128), nullable=False, unique=True),
    sa.Column("image_url", sa.String(2000), nullable=False),
    sa.Column("alt_text", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    _when(),
    _when("updated", nullable=True),
)

custom_emoji_keyword = sa.Table(
    "custom_emoji_keyword",
    metadata,
    _fk("custom_emoji_id", "custom_emoji.id"),
    sa.Column("keyword", sa.String(128), nullable=False),
    sa.PrimaryKeyConstraint("custom_emoji_id", "keyword"),
)

url_blocklist = sa.Table(
    "local_site_url_blocklist",
    metadata,
    _id(),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    _when(),
    _when("updated", nullable=True),
)

community = sa.Table(
    "community",
    metadata,
    _id(),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("description_html", sa.Text),
    _flag("removed"),
    _when(),
    _when("updated", nullable=True),
    _flag("deleted"),
    _flag("nsfw"),
    sa.Column("actor_id", sa.String(2000), nullable=False, unique=True),
    _flag("local", True),
    sa.Column("icon", sa.String(2000)),
    sa.Column("banner", sa.String(2000)),
    _flag("hidden"),
    _flag("posting_restricted_to_mods"),
    _fk("instance_id", "instance.id", index=True),
    sa.Column("visibility", sa.String(32), nullable=False, server_default="Public"),
    sa.Column("inbox_url", sa.String(2000), nullable=False),
    sa.Column("followers_url", sa.String(2000)),
    # Generated when the actor first federates (moot/federation), not on every import.
    sa.Column("public_key", sa.Text),
    sa.Column("private_key", sa.Text),
    # Federation: a remote group's other endpoints, and when its JSON was last fetched.
    sa.Column("shared_inbox_url", sa.String(2000)),
    sa.Column("moderators_url", sa.String(2000)),
    sa.Column("featured_url", sa.String(2000)),
    _when("last_refreshed_at", nullable=True),
    _count("subscribers"),
    _count("subscribers_local"),
    _count("posts"),
    _count("comments"),
    _count("users_active_day"),
    _count("users_active_week"),
    _count("users_active_month"),
    _count("users_active_half_year"),
    _rank("hot_rank"),
)
sa.Index("ix_community_lower_name", sa.func.lower(community.c.name), community.c.instance_id)

community_follower = sa.Table(
    "community_follower",
    metadata,
    _id(),
    _fk("community_id", "community.id"),
    _fk("person_id", "person.id", index=True),
    _when(),
    # Waiting for the remote community's Accept.
    _flag("pending"),
    # A follow of a private community, waiting for a moderator's approval (Lemmy 1.0's
    # ApprovalRequired): not counted as a subscriber, shown none of the content.
    _flag("approval_required"),
    sa.UniqueConstraint("community_id", "person_id"),
)

community_moderator = sa.Table(
    "community_moderator",
    metadata,
    _id(),
    _fk("community_id", "community.id"),
    _fk("person_id", "person.id", index=True),
    _when(),
    sa.UniqueConstraint("community_id", "person_id"),
)

community_person_ban = sa.Table(
    "community_person_ban",
    metadata,
    _id(),
    _fk("community_id", "community.id"),
    _fk("person_id", "person.id", index=True),
    _when(),
    _when("expires", nullable=True),
    sa.UniqueConstraint("community_id", "person_id"),
)

community_block = sa.Table(
    "community_block",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    _fk("community_id", "community.id", index=True),
    _when(),
    sa.UniqueConstraint("person_id", "community_id"),
)

# Remote persons (Mastodon users) who follow a local person: they get that person's posts,
# comments and votes directly. Lemmy 0.19 users only follow communities.
person_follower = sa.Table(
    "person_follower",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    _fk("follower_id", "person.id", index=True),
    _when(),
    sa.UniqueConstraint("person_id", "follower_id"),
)

person_block = sa.Table(
    "person_block",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    _fk("target_id", "person.id", index=True),
    _when(),
    sa.UniqueConstraint("person_id", "target_id"),
)

instance_block = sa.Table(
    "instance_block",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    _fk("instance_id", "instance.id", index=True),
    _when(),
    sa.UniqueConstraint("person_id", "instance_id"),
)

# Lemmy 1.0's other half of an instance block: the instance's persons (their posts,
# comments and private messages hidden from the member). instance_block above is the half
# Lemmy 0.19 had, the instance's communities.
instance_person_block = sa.Table(
    "instance_person_block",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    _fk("instance_id", "instance.id", index=True),
    _when(),
    sa.UniqueConstraint("person_id", "instance_id"),
)

# A member's private note on another person (Lemmy 1.0's person notes), shown to its
# author only, beside the person's name.
person_note = sa.Table(
    "person_note",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    _fk("target_id", "person.id", index=True),
    sa.Column("note", sa.String(1000), nullable=False),
    _when(),
    sa.UniqueConstraint("person_id", "target_id"),
)

# Multi-community feeds (Lemmy 1.0): a person's named list of communities, local or
# remote, which others follow. A feed is an actor of its own on the fediverse (`Feed`);
# its entries are its `following` collection (moot/federation/objects/feed.py).
multi_community = sa.Table(
    "multi_community",
    metadata,
    _id(),
    _fk("creator_id", "person.id", index=True),
    _fk("instance_id", "instance.id"),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("title", sa.String(255)),
    sa.Column("summary", sa.String(255)),
    sa.Column("sidebar", sa.Text),
    _flag("local", True),
    _flag("deleted"),
    sa.Column("ap_id", sa.String(2000), nullable=False, unique=True),
    sa.Column("following_url", sa.String(2000)),
    _when("last_refreshed_at", nullable=True),
    _when(),
    _when("updated", nullable=True),
    _count("subscribers"),
    _count("subscribers_local"),
    _count("communities"),
    # Feed names are unique on their instance: the feed's address is /m/{name}.
    sa.UniqueConstraint("instance_id", "name"),
)

multi_community_entry = sa.Table(
    "multi_community_entry",
    metadata,
    _id(),
    _fk("multi_community_id", "multi_community.id"),
    _fk("community_id", "community.id", index=True),
    sa.UniqueConstraint("multi_community_id", "community_id"),
)

multi_community_follow = sa.Table(
    "multi_community_follow",
    metadata,
    _id(),
    _fk("multi_community_id", "multi_community.id"),
    _fk("person_id", "person.id", index=True),
    _when(),
    sa.UniqueConstraint("multi_community_id", "person_id"),
)

post = sa.Table(
    "post",
    metadata,
    _id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("url", sa.String(2000)),
    sa.Column("body", sa.Text),
    sa.Column("body_html", sa.Text),
    _fk("creator_id", "person.id"),
    _fk("community_id", "community.id"),
    _flag("removed"),
    _flag("locked"),
    _when(),
    _when("updated", nullable=True),
    _flag("deleted"),
    _flag("nsfw"),
    sa.Column("embed_title", sa.Text),
    sa.Column("embed_description", sa.Text),
    sa.Column("thumbnail_url", sa.String(2000)),
    sa.Column("ap_id", sa.String(2000), nullable=False, unique=True),
    _flag("local", True),
    sa.Column("embed_video_url", sa.String(2000)),
    sa.Column(
        "language_id", sa.Integer, sa.ForeignKey("language.id"), nullable=False, server_default="0"
    ),
    _flag("featured_community"),
    _flag("featured_local"),
    sa.Column("url_content_type", sa.Text),
    sa.Column("alt_text", sa.Text),
    _fk("instance_id", "instance.id"),
    # Aggregates (PostAggregates) and ranks.
    _count("comments"),
    _count("score"),
    _count("upvotes"),
    _count("downvotes"),
    _when("newest_comment_time"),
    _when("newest_comment_time_necro"),
    _rank("hot_rank"),
    _rank("hot_rank_active"),
    _rank("scaled_rank"),
    _rank("controversy_rank", 0.0),
    # Which Top window the post is still inside (moot.ranking.age_tier); moved by the scheduler.
    sa.Column("age_tier", sa.SmallInteger, nullable=False, server_default="0"),
    # Whether post_tag holds rows for the post: a page of posts reads their tags only when
    # one of them has some, so a listing without tagged posts runs no extra statement.
    _flag("tagged"),
)

# One index per listing order, so each sort is an index scan that stops after `limit` rows
# (moot/db/listings.py chooses them). Front page: featured_local first; inside a
# community: community_id, featured_community first.
_POST_SORT_KEYS = {
    "hot": ("hot_rank", "published"),
    "active": ("hot_rank_active", "published"),
    "scaled": ("scaled_rank", "published"),
    "controversy": ("controversy_rank", "published"),
    "new": ("published",),
    "newcomments": ("newest_comment_time",),
    "mostcomments": ("comments", "published"),
    "score": ("score", "published"),  # TopAll; shorter Top windows read the tier indexes
}
for _name, _cols in _POST_SORT_KEYS.items():
    sa.Index(f"ix_post_site_{_name}", post.c.featured_local, *[post.c[c] for c in _cols], post.c.id)
    sa.Index(
        f"ix_post_community_{_name}",
        post.c.community_id,
        post.c.featured_community,
        *[post.c[c] for c in _cols],
        post.c.id,
    )
# Windowed Top sorts read one of these per age tier, in score order (moot/db/listings.py).
sa.Index(
    "ix_post_site_tier_score",
    post.c.age_tier,
    post.c.featured_local,
    post.c.score,
    post.c.published,
    post.c.id,
)
sa.Index(
    "ix_post_community_tier_score",
    post.c.community_id,
    post.c.age_tier,
    post.c.featured_community,
    post.c.score,
    post.c.published,
    post.c.id,
)
# Old is featured first (descending), then oldest first: one forward scan of this index.
sa.Index("ix_post_site_old", post.c.featured_local.desc(), post.c.published, post.c.id)
sa.Index(
    "ix_post_community_old",
    post.c.community_id,
    post.c.featured_community.desc(),
    post.c.published,
    post.c.id,
)
sa.Index("ix_post_creator", post.c.creator_id, post.c.published, post.c.id)
sa.Index("ix_post_url", post.c.url)

# Lemmy 1.0's community post tags: defined by a community's moderators (or, for a remote
# community, by its Group's `tag` list), put on posts by their authors and moderators. A
# deleted tag keeps its row and its posts' links, so undeleting it brings them back; the
# reads leave deleted tags out. (community_id, name) is the natural key a create upserts on.
community_tag = sa.Table(
    "community_tag",
    metadata,
    _id(),
    sa.Column("ap_id", sa.String(2000), nullable=False, unique=True),
    _fk("community_id", "community.id"),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("display_name", sa.String(100)),
    sa.Column("summary", sa.String(1000)),
    sa.Column("color", sa.String(16), nullable=False, server_default="color01"),
    _when(),
    _when("updated", nullable=True),
    _flag("deleted"),
    sa.UniqueConstraint("community_id", "name"),
)

# Which tags a post carries. Its primary key reads a post's tags; the index on (tag_id,
# post_id) is a listing's filter by tag (`post.id IN (posts with the tag)`).
post_tag = sa.Table(
    "post_tag",
    metadata,
    _fk("post_id", "post.id"),
    _fk("tag_id", "community_tag.id"),
    sa.PrimaryKeyConstraint("post_id", "tag_id"),
)
sa.Index("ix_post_tag_tag_id_post_id", post_tag.c.tag_id, post_tag.c.post_id)

post_like = sa.Table(
    "post_like",
    metadata,
    _fk("post_id", "post.id"),
    _fk("person_id", "person.id", index=True),
    sa.Column("score", sa.SmallInteger, nullable=False),
    _when(),
    sa.PrimaryKeyConstraint("post_id", "person_id"),
)

post_saved = sa.Table(
    "post_saved",
    metadata,
    _fk("post_id", "post.id"),
    _fk("person_id", "person.id"),
    _when(),
    sa.PrimaryKeyConstraint("person_id", "post_id"),
)

post_read = sa.Table(
    "post_read",
    metadata,
    _fk("post_id", "post.id"),
    _fk("person_id", "person.id"),
    _when(),
    # Comments the reader had seen, for PostView.unread_comments.
    sa.Column("read_comments", sa.BigInteger, nullable=False, server_default="0"),
    sa.PrimaryKeyConstraint("person_id", "post_id"),
)

post_hide = sa.Table(
    "post_hide",
    metadata,
    _fk("post_id", "post.id"),
    _fk("person_id", "person.id"),
    _when(),
    sa.PrimaryKeyConstraint("person_id", "post_id"),
)

comment = sa.Table(
    "comment",
    metadata,
    _id(),
    _fk("creator_id", "person.id"),
    _fk("post_id", "post.id"),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("content_html", sa.Text),
    _flag("removed"),
    _when(),
    _when("updated", nullable=True),
    _flag("deleted"),
    sa.Column("ap_id", sa.String(2000), nullable=False, unique=True),
    _flag("local", True),
    # Materialized path: each ancestor's id (and the comment's own) as a fixed-width
    # segment, so that text order is tree order and a subtree is a prefix range.
    sa.Column("path", sa.String(2000), nullable=False, server_default=""),
    sa.Column("depth", sa.Integer, nullable=False, server_default="0"),
    _flag("distinguished"),
    sa.Column(
        "language_id", sa.Integer, sa.ForeignKey("language.id"), nullable=False, server_default="0"
    ),
    _count("score"),
    _count("upvotes"),
    _count("downvotes"),
    _count("child_count"),
    _rank("hot_rank"),
    _rank("controversy_rank", 0.0),
    # Lemmy 1.0's comment lock: set on the comment a moderator locked and on every comment
    # under it (a reply written there by a moderator takes it from its parent), so whether
    # a reply may be written is its parent's own flag (moot/actions/comment_locks.py).
    _flag("locked"),
)
sa.Index("ix_comment_post_path", comment.c.post_id, comment.c.path)
sa.Index("ix_comment_creator", comment.c.creator_id, comment.c.published, comment.c.id)
sa.Index("ix_comment_published", comment.c.published, comment.c.id)
sa.Index("ix_comment_hot", comment.c.hot_rank, comment.c.score, comment.c.id)
sa.Index("ix_comment_score", comment.c.score, comment.c.id)

comment_like = sa.Table(
    "comment_like",
    metadata,
    _fk("comment_id", "comment.id"),
    _fk("person_id", "person.id", index=True),
    _fk("post_id", "post.id"),
    sa.Column("score", sa.SmallInteger, nullable=False),
    _when(),
    sa.PrimaryKeyConstraint("comment_id", "person_id"),
)

comment_saved = sa.Table(
    "comment_saved",
    metadata,
    _fk("comment_id", "comment.id"),
    _fk("person_id", "person.id"),
    _when(),
    sa.PrimaryKeyConstraint("person_id", "comment_id"),
)

comment_reply = sa.Table(
    "comment_reply",
    metadata,
    _id(),
    _fk("recipient_id", "person.id", index=True),
    _fk("comment_id", "comment.id"),
    _flag("read"),
    _when(),
    sa.UniqueConstraint("recipient_id", "comment_id"),
)

person_mention = sa.Table(
    "person_mention",
    metadata,
    _id(),
    _fk("recipient_id", "person.id", index=True),
    _fk("comment_id", "comment.id"),
    _flag("read"),
    _when(),
    sa.UniqueConstraint("recipient_id", "comment_id"),
)

# Lemmy 1.0's notification settings: a member's choice per post ('all_comments',
# 'replies_and_mentions', 'mute') and per community ('all_posts_and_comments', 'all_posts',
# 'replies_and_mentions', 'mute'); one row per pair, written as an upsert. The index on the
# post (community) finds a new comment's (post's) subscribers.
post_notify = sa.Table(
    "post_notify",
    metadata,
    _fk("person_id", "person.id"),
    _fk("post_id", "post.id", index=True),
    sa.Column("mode", sa.String(24), nullable=False),
    _when(),
    sa.PrimaryKeyConstraint("person_id", "post_id"),
)

community_notify = sa.Table(
    "community_notify",
    metadata,
    _fk("person_id", "person.id"),
    _fk("community_id", "community.id", index=True),
    sa.Column("mode", sa.String(24), nullable=False),
    _when(),
    sa.PrimaryKeyConstraint("person_id", "community_id"),
)

# What a subscription told: a new comment on a followed post (or in a community followed
# with its comments), and a new post in a followed community. Shaped as comment_reply.
comment_subscribed = sa.Table(
    "comment_subscribed",
    metadata,
    _id(),
    _fk("recipient_id", "person.id", index=True),
    _fk("comment_id", "comment.id", index=True),
    _flag("read"),
    _when(),
    sa.UniqueConstraint("recipient_id", "comment_id"),
)

post_subscribed = sa.Table(
    "post_subscribed",
    metadata,
    _id(),
    _fk("recipient_id", "person.id", index=True),
    _fk("post_id", "post.id", index=True),
    _flag("read"),
    _when(),
    sa.UniqueConstraint("recipient_id", "post_id"),
)

# Lemmy 1.0's invitations: a member's token that lets someone register while the site's
# registration mode is RequireInvitation; each registration counts a use.
local_user_invite = sa.Table(
    "local_user_invite",
    metadata,
    _id(),
    _fk("local_user_id", "local_user.id", index=True),
    sa.Column("token", sa.String(64), nullable=False, unique=True),
    sa.Column("max_uses", sa.Integer),
    sa.Column("uses_count", sa.Integer, nullable=False, server_default="0"),
    _when("expires", nullable=True),
    _when(),
)

registration_application = sa.Table(
    "registration_application",
    metadata,
    _id(),
    _fk("local_user_id", "local_user.id"),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("admin_id", sa.Integer, sa.ForeignKey("person.id", ondelete="SET NULL")),
    sa.Column("deny_reason", sa.Text),
    _when(),
    sa.UniqueConstraint("local_user_id"),
)

# Moderation (issue 5) -----------------------------------------------------------------------

# The modlog: every moderator and admin action, one row each. Lemmy keeps fifteen tables of
# the same form (mod_remove_post, mod_ban, admin_purge_post, ...); one table with a `kind`
# column (Lemmy's ModlogActionType name) serves the same GetModlog shapes with one insert
# path and one filtered query (docs/decisions.md, 2026-12 "one modlog table").
modlog = sa.Table(
    "modlog",
    metadata,
    _id(),
    sa.Column("kind", sa.String(32), nullable=False),
    _fk("mod_person_id", "person.id", index=True),
    # The person acted upon: banned, added, or the creator of the removed post or comment.
    _fk("other_person_id", "person.id", nullable=True, index=True),
    _fk("community_id", "community.id", nullable=True),
    _fk("post_id", "post.id", nullable=True, index=True),
    _fk("comment_id", "comment.id", nullable=True, index=True),
    sa.Column("reason", sa.Text),
    # The action's own boolean: removed, locked, featured, banned or hidden; for the
    # adding of moderators and admins it is Lemmy's `removed` (true when taken away).
    _flag("flag"),
    _flag("is_featured_community"),
    _when("expires", nullable=True),
    _when("when_"),
)
sa.Index("ix_modlog_kind_when", modlog.c.kind, modlog.c.when_, modlog.c.id)
sa.Index("ix_modlog_community_when", modlog.c.community_id, modlog.c.when_, modlog.c.id)

# Lemmy 1.0's `mod_action` notifications: a moderator's action that concerns a member (a
# warning, a lock of their comment) reaches them as a notice naming its modlog row.
mod_action_notice = sa.Table(
    "mod_action_notice",
    metadata,
    _id(),
    _fk("recipient_id", "person.id"),
    _fk("modlog_id", "modlog.id"),
    _flag("read"),
    _when(),
    sa.UniqueConstraint("recipient_id", "modlog_id"),
)
sa.Index(
    "ix_mod_action_notice_recipient",
    mod_action_notice.c.recipient_id,
    mod_action_notice.c.published,
    mod_action_notice.c.id,
)


def _report(name: str, target: str, *snapshot: sa.Column[object]) -> sa.Table:
    """A report table: who reported what, a snapshot of it as it was, and its resolution."""
    return sa.Table(
        f"{name}_report",
        metadata,
        _id(),
        _fk("creator_id", "person.id", index=True),
        _fk(f"{name}_id", f"{target}.id", index=True),
        *snapshot,
        sa.Column("reason", sa.Text, nullable=False),
        _flag("resolved"),
        sa.Column("resolver_id", sa.Integer, sa.ForeignKey("person.id", ondelete="SET NULL")),
        _when(),
        _when("updated", nullable=True),
        sa.UniqueConstraint(f"{name}_id", "creator_id"),
    )


private_message = sa.Table(
    "private_message",
    metadata,
    _id(),
    _fk("creator_id", "person.id"),
    _fk("recipient_id", "person.id"),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("content_html", sa.Text),
    _flag("deleted"),
    _flag("read"),
    _flag("removed"),
    _when(),
    _when("updated", nullable=True),
    sa.Column("ap_id", sa.String(2000), nullable=False, unique=True),
    _flag("local", True),
)
sa.Index(
    "ix_private_message_recipient", private_message.c.recipient_id, private_message.c.published
)
sa.Index("ix_private_message_creator", private_message.c.creator_id, private_message.c.published)

post_report = _report(
    "post",
    "post",
    sa.Column("original_post_name", sa.String(200), nullable=False),
    sa.Column("original_post_url", sa.String(2000)),
    sa.Column("original_post_body", sa.Text),
)
comment_report = _report(
    "comment", "comment", sa.Column("original_comment_text", sa.Text, nullable=False)
)
# Reports about a community itself (Lemmy 1.0), for the admins.
community_report = _report(
    "community",
    "community",
    sa.Column("original_community_name", sa.String(255), nullable=False),
    sa.Column("original_community_title", sa.String(255), nullable=False),
    sa.Column("original_community_description", sa.Text),
)
private_message_report = _report(
    "private_message",
    "private_message",
    sa.Column("original_pm_text", sa.Text, nullable=False),
)

# Federation (moot/federation): the inbox queue, the transactional outbox, delivery state
# per remote instance, and the admins' allow and block lists.

received_activity = sa.Table(
    "received_activity",
    metadata,
    _id(),
    # Unique: a second delivery of the same activity is dropped.
    sa.Column("ap_id", sa.String(2000), nullable=False, unique=True),
    sa.Column("data", sa.Text, nullable=False),
    # The actor whose signature was verified (or the Group that announced it).
    sa.Column("actor_apub_id", sa.String(2000), nullable=False),
    # pending -> done | failed (with the reason); the worker claims pending rows in id order.
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("failure", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    _when(),
    _when("processed", nullable=True),
)
sa.Index("ix_received_activity_state", received_activity.c.state, received_activity.c.id)

sent_activity = sa.Table(
    "sent_activity",
    metadata,
    _id(),
    sa.Column("ap_id", sa.String(2000), nullable=False, unique=True),
    sa.Column("data", sa.Text, nullable=False),
    # The local actor that signs it (person, community or the site).
    sa.Column("actor_apub_id", sa.String(2000), nullable=False),
    # Follows, accepts and account deletions are not served at their id.
    _flag("sensitive"),
    # Where it goes: these inbox URLs, the followers of a community, and/or every instance.
    sa.Column("send_inboxes", sa.Text, nullable=False, server_default="[]"),
    sa.Column(
        "send_community_followers_of",
        sa.Integer,
        sa.ForeignKey("community.id", ondelete="SET NULL"),
    ),
    _flag("send_all_instances"),
    _when(),
)

federation_queue_state = sa.Table(
    "federation_queue_state",
    metadata,
    sa.Column(
        "instance_id",
        sa.Integer,
        sa.ForeignKey("instance.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    # Every sent_activity up to this id has been delivered (or did not concern the instance).
    sa.Column("last_successful_id", sa.Integer, nullable=False, server_default="0"),
    sa.Column("fail_count", sa.Integer, nullable=False, server_default="0"),
    _when("last_retry", nullable=True),
    _when("next_retry", nullable=True),
    _when("last_successful_published_time", nullable=True),
)

federation_allowlist = sa.Table(
    "federation_allowlist",
    metadata,
    sa.Column(
        "instance_id",
        sa.Integer,
        sa.ForeignKey("instance.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    _when(),  # Why an admin listed it, one instance at a time (Lemmy 1.0's adminAllowInstance).
    sa.Column("reason", sa.Text),
)

federation_blocklist = sa.Table(
    "federation_blocklist",
    metadata,
    sa.Column(
        "instance_id",
        sa.Integer,
        sa.ForeignKey("instance.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    _when(),  # Why, and until when (Lemmy 1.0's adminBlockInstance); a block past its end is over.
    sa.Column("reason", sa.Text),
    _when("expires", nullable=True),
)

# Lemmy 0.19's record of the pictures a local member uploaded: the alias is the file name
# under /pictrs/image/, and the uploader (or an admin) may delete it.
local_image = sa.Table(
    "local_image",
    metadata,
    sa.Column("pictrs_alias", sa.Text, primary_key=True),
    _fk("local_user_id", "local_user.id", nullable=True, index=True),
    sa.Column("pictrs_delete_token", sa.Text, nullable=False),
    _when(),
)

# Lemmy 0.19's record of the remote pictures this instance rewrote to its image proxy
# (ProxyAllImages): /api/v3/image_proxy fetches only these, so it is no open proxy.
# Links are at most 2000 characters (moot/media/image_links.py), within an index entry.
remote_image = sa.Table(
    "remote_image",
    metadata,
    sa.Column("link", sa.String(2000), primary_key=True),
    _when(),
)
