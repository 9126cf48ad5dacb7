"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

Why by hand: the protocol on a pipe is NUL-separated JSON on fds 3/4 (about 60 lines here); the
libraries that speak it (playwright, pyppeteer) download their own browser builds from the internet,
which the tests may not do. This uses Debian's chromium, opens no port, and records what a test of a
self-contained page needs: console messages, uncaught exceptions, and every network request.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from _skip import need


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One page in a fresh headless Chromium profile. Use as a context manager."""

    def __init__(self, timeout: float = 60.0) -> None:
        binary = chromium()
        need(binary, "chromium not installed (make system installs it)")
        self.timeout = timeout
        self.console: list[dict[str, Any]] = []  # {"type": "error"|"log"|..., "text": ...}
        self.exceptions: list[str] = []
        self.requests: list[str] = []  # every URL the page asked for
        self._id = 0
        self._buf = b""
        self._profile = tempfile.mkdtemp(prefix="nf-chromium-")
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()
        # The child wants the pipe on fds 3 (reads) and 4 (writes).

        def fds() -> None:  # move both out of the way first: either may already be fd 3 or 4
            a, b = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self._proc = subprocess.Popen(
            [
                str(binary), "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-default-browser-check", f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=fds,  # noqa: PLW1509 - subprocess keeps pass_fds after preexec_fn
        )
        os.close(to_child_r)
        os.close(from_child_w)
        targets = self._call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self._session = self._call("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]
        for domain in ("Runtime", "Page", "Network", "Log"):
            self._call(f"{domain}.enable", session=True)

    # ------------------------------------------------------------------ protocol
    def _send(self, method: str, params: dict[str, Any], session: bool) -> int:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self._session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        return self._id

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            if time.monotonic() > deadline or self._proc.poll() is not None:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._r, 65536)
            if not chunk:
                raise TimeoutError("chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        msg: dict[str, Any] = json.loads(raw)
        self._record(msg)
        return msg

    def _record(self, msg: dict[str, Any]) -> None:
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            self.console.append({"type": p.get("type"), "text": text})
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.exceptions.append(d.get("exception", {}).get("description") or d.get("text", ""))
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            self.console.append({"type": e.get("level"), "text": e.get("text", "")})
        elif method == "Network.requestWillBeSent":
            self.requests.append(p.get("request", {}).get("url", ""))

    def _call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        mid = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._read(deadline)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                result: dict[str, Any] = msg.get("result", {})
                return result

    def _wait_event(self, method: str) -> None:
        deadline = time.monotonic() + self.timeout
        while self._read(deadline).get("method") != method:
            pass

    # ------------------------------------------------------------------ API
    def open(self, path: Path) -> None:
        """Load a file and wait for its load event."""
        self._call("Page.navigate", session=True, url=path.resolve().as_uri())
        self._wait_event("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        """Evaluate ``expression`` in the page and return its (JSON) value; a throw fails the test."""
        r = self._call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise AssertionError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors and uncaught exceptions so far (after draining pending events)."""
        self.js("0")
        return [c["text"] for c in self.console if c["type"] in ("error", "assert")] + self.exceptions

    def outside_requests(self) -> list[str]:
        """Requests for anything but the page's own file (and inline data)."""
        return [u for u in self.requests if not u.startswith(("file://", "data:", "about:"))]

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, RuntimeError, OSError):
            self._call("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._w)
        os.close(self._r)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
