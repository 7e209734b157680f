"""Site data in and out of an instance: `moot import FILE` and `moot export FILE`.

The records format is described in shared/fixtures/README.md: persons, communities, posts
and comments, each referring to earlier ones by name or key, as one JSON document
(`{"records": [...]}`) or as JSON Lines. Importing makes everything local to this instance;
exporting writes this instance's own content in the same format, so that importing an
export into an empty instance gives the same API answers.
"""

from moot.portability.exporting import export_file
from moot.portability.importing import UNUSABLE_PASSWORD_PREFIX, import_file

__all__ = ["UNUSABLE_PASSWORD_PREFIX", "export_file", "import_file"]
