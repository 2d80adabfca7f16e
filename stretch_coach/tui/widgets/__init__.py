"""Widgets of the coach's screens."""
