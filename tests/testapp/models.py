"""Models that exist only in the test suite."""
