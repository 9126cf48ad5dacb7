"""``python -m fabric.twins serve <lab_state.json>``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from fabric.twins.server import serve


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fabric.twins")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve every twin node of a lab state file")
    s.add_argument("state", type=Path)
    s.add_argument("--log-level", default="INFO")
    a = p.parse_args(argv)
    logging.basicConfig(level=a.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    return asyncio.run(serve(a.state))


if __name__ == "__main__":
    sys.exit(main())
