"""Comment tree paths: each id a fixed-width segment, so text order is tree order.

`0000000012` + `0000000345` is comment 345 replying to 12; a subtree is every path that
starts with its root's path, which both databases answer with an index range scan.
"""

from __future__ import annotations

PATH_WIDTH = 10


def segment(comment_id: int) -> str:
    return f"{comment_id:0{PATH_WIDTH}d}"


def ids_of(path: str) -> list[int]:
    return [int(path[i : i + PATH_WIDTH]) for i in range(0, len(path), PATH_WIDTH)]


def ancestor_ids(path: str) -> list[int]:
    return ids_of(path)[:-1]


def depth_of(path: str) -> int:
    """0 for a top-level comment."""
    return len(path) // PATH_WIDTH - 1


def lemmy_path(path: str) -> str:
    """Lemmy's ltree text, `0.12.345`, that clients build their trees from."""
    # Ids are never 0, so each segment without its leading zeros is the id's digits.
    if len(path) == PATH_WIDTH:  # a top-level comment: most of a thread's first page
        return "0." + path.lstrip("0")
    return "0." + ".".join(
        [path[i : i + PATH_WIDTH].lstrip("0") for i in range(0, len(path), PATH_WIDTH)]
    )


def subtree_upper_bound(path: str) -> str:
    """The smallest string above every path in the subtree of `path` (for a range scan)."""
    return path + "~"
