"""Conversions between database rows and the wire shapes of moot/federation/protocol/.

`*_json` functions turn local rows into the JSON Lemmy sends; `store_*` functions keep what
a remote server told us about its actors. Remote posts and comments are not stored here:
they go through the same actions as local ones (moot/actions/).
"""
