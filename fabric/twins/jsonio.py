"""JSON in and out of the twin server, through orjson.

One twin server answers every device of a lab, and the EOS twins' eAPI replies are big (about 290 KB
for a dc-large spine's six-command validation batch, 3.9 MB for the 36 EOS devices), as are FRR's
``show bgp ... json`` replies it reads. The standard library's json spent a third of the server's
event loop on them; orjson does the same work several times faster.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

JSONDecodeError = json.JSONDecodeError  # orjson's own error is a subclass of it


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)


def dumps(obj: Any) -> bytes:
    """UTF-8 JSON; int dict keys written as strings, as json.dumps does. Anything orjson does not
    serialise natively goes through json.dumps, so a reply is never lost to the encoder."""
    try:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(obj).encode()
