"""The values a page offers in its menus, with their labels (and nothing else is taken)."""

from __future__ import annotations

# Lemmy's post sorts; the profile and search show a subset (see profile.py).
POST_SORTS: dict[str, str] = {
    "Active": "Active",
    "Hot": "Hot",
    "Scaled": "Scaled",
    "New": "New",
    "Old": "Old",
    "NewComments": "New comments",
    "MostComments": "Most comments",
    "Controversial": "Controversial",
    "TopHour": "Top hour",
    "TopSixHour": "Top six hours",
    "TopTwelveHour": "Top twelve hours",
    "TopDay": "Top day",
    "TopWeek": "Top week",
    "TopMonth": "Top month",
    "TopThreeMonths": "Top three months",
    "TopSixMonths": "Top six months",
    "TopNineMonths": "Top nine months",
    "TopYear": "Top year",
    "TopAll": "Top all time",
}
# The sorts a list offers in one click; the rest are one more click away.
SORT_SHORTLIST = ("Active", "Hot", "New", "TopDay", "TopWeek")
COMMENT_SORTS: dict[str, str] = {
    "Hot": "Hot",
    "Top": "Top",
    "New": "New",
    "Old": "Old",
    "Controversial": "Controversial",
}
# The communities page's sorts: the post sorts whose community order (moot/db/listings.py)
# a reader asks for, as words about communities.
COMMUNITY_SORTS: dict[str, str] = {
    "TopAll": "Most subscribers",
    "Active": "Active",
    "New": "New",
    "TopMonth": "Most active this month",
    "MostComments": "Most comments",
    "Old": "Oldest",
}
LISTING_TYPES: dict[str, str] = {"Subscribed": "Subscribed", "Local": "Local", "All": "All"}
# A front-page tab for people who moderate something (not a default one can save).
MODERATOR_VIEW: dict[str, str] = {"ModeratorView": "Moderated"}
SORT_HELP_URL = "https://join-lemmy.org/docs/users/03-votes-and-ranking.html"


def pick(value: str | None, allowed: dict[str, str]) -> str | None:
    """`value` if the menu offers it, else None (the caller's default applies)."""
    return value if value in allowed else None
