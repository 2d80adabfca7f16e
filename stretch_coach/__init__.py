"""stretch-coach: a guided stretching coach for the terminal."""

__version__ = "0.1.0"
