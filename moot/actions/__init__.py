"""What a person or a remote actor can do.

Each action is one function that takes an open transaction: it checks permissions, writes,
updates the counters and queues notifications, so the API, the web interface and federation
all go through the same door.
"""
