"""Device-twin tests."""
