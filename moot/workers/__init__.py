"""Background work: the scheduler, and later the delivery and inbox runners."""
