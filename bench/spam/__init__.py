"""The spam-wave drill (bench/spam_wave.py): sign-ups and posts from many addresses against
an instance that requires applications and keeps Lemmy's default rate limits, a reader timing
post/list throughout, an audit of what got in, and the admin's clean-up through the API."""
