"""`python -m fabric.lab ...` — the lab CLI without the rest of fabric's CLI."""

from fabric.lab.cli import main

main()
