"""moot: a federated link aggregator that speaks Lemmy's API and ActivityPub dialect."""

__version__ = "0.1.0"

# The Lemmy API version moot answers as. Clients (pythorhead, Jerboa, …) switch behaviour on
# this, so it names the contract we implement, not moot's own release.
LEMMY_API_VERSION = "0.19.9"
