"""The JSON shapes of Lemmy 0.19's ActivityPub dialect, one msgspec Struct per shape.

These are wire shapes only: nothing here knows about database rows. Conversions between
rows and shapes live beside them in moot/federation/objects/. Every Struct ignores unknown
keys (other servers add many) and rejects a known key of the wrong type, as Lemmy does.
"""
