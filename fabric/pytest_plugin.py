"""pytest plugin: `pytest --fabric <inventory>` (the validation module fills this in)."""
