"""The inbox: verify, store and answer (receive.py); then, from the stored queue, turn each
activity into the same action calls the API makes (handlers.py, ingest.py)."""
