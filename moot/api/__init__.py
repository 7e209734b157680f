"""HTTP APIs: Lemmy's v3 under /api/v3."""
