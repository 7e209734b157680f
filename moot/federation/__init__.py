"""ActivityPub: objects, signatures, inbox, delivery, fetching, discovery."""
