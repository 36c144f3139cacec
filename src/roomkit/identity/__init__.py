"""Identity resolution: who sent an inbound message."""
