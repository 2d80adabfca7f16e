"""The coach's screens."""
