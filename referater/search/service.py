"""A synchronous client for `pagefind --service`, the backend that Pagefind's Python API drives.

The protocol is the one `pagefind.service` speaks: each request and response is base64-encoded JSON
followed by a comma. The package's own asyncio client waits 0.1 s before reading each response, which
is 17 minutes for the 10,000 records of a large shard; here a writer thread streams the requests while
this thread reads the answers, so the pipes never fill up and the binary works at its own speed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import queue
import subprocess
import threading
from collections.abc import Iterable
from typing import Any


class PagefindError(Exception):
    """The Pagefind binary is missing, died or answered with an error."""


def _executable() -> str:
    from pagefind.service import get_executable  # the binary of the `pagefind[bin]` package

    found = get_executable()
    if found is None:
        raise PagefindError("Pagefind-programmet findes ikke (pakken pagefind[bin] er ikke installeret)")
    return str(found)


class PagefindService:
    """One backend process holding one index: pages in, bundle out."""

    def __init__(self, language: str) -> None:
        try:
            self._process = subprocess.Popen(
                [_executable(), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise PagefindError(str(exc)) from None
        self._buffer = b""
        self._sent = 0
        answer = self._call({"type": "NewIndex", "config": {"force_language": language}})
        self._index = answer["index_id"]
        self.language = language

    def add_pages(self, pages: Iterable[tuple[str, str]]) -> int:
        """Send every page (its URL and HTML) and wait for all answers. `pages` may be a generator: it
        is drawn on the writer thread, so the next records are made while Pagefind indexes the last."""
        sent: queue.SimpleQueue[bool] = queue.SimpleQueue()  # True per message written, False at the end
        errors: list[BaseException] = []

        def write() -> None:
            try:
                assert self._process.stdin is not None
                for url, html in pages:
                    payload = {"type": "AddFile", "index_id": self._index, "url": url, "file_contents": html}
                    self._process.stdin.write(self._encode(payload))
                    self._process.stdin.flush()  # whole: Pagefind answers only a complete message
                    sent.put(True)
            except BaseException as exc:  # noqa: BLE001 - raised again on the calling thread
                errors.append(exc)
            finally:
                sent.put(False)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        count = 0
        try:
            while sent.get():
                self._answer()
                count += 1
        except BaseException:
            self._process.kill()  # else the writer may wait forever on a pipe nobody drains
            raise
        finally:
            writer.join()
        if errors:
            if isinstance(errors[0], OSError):  # the reader sees the process end and says why
                raise PagefindError(str(errors[0]))
            raise errors[0]
        return count

    def files(self) -> list[tuple[str, bytes]]:
        """The bundle's files, their paths relative to the bundle. Not WriteFiles: Pagefind answers it
        before its last writes reach the disk, and a process that ends then leaves files cut short."""
        answer = self._call({"type": "GetFiles", "index_id": self._index})
        return [(f["path"], base64.b64decode(f["content"])) for f in answer["files"]]

    def close(self) -> None:
        if self._process.stdin is not None:
            # a process that is gone: the error that says why is already on its way
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _encode(self, payload: dict[str, Any]) -> bytes:
        self._sent += 1
        message = {"message_id": self._sent, "payload": payload}
        return base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b","

    def _call(self, payload: dict[str, Any]) -> dict[str, Any]:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(self._encode(payload))
            self._process.stdin.flush()
        except OSError as exc:
            raise PagefindError(str(exc)) from None
        return self._answer()

    def _answer(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        parts = [self._buffer]  # a bundle's files arrive as one answer of megabytes: no quadratic +=
        while b"," not in parts[-1]:
            chunk = self._process.stdout.read1(1 << 16)
            if not chunk:
                raise PagefindError(f"Pagefind stoppede uventet (exit {self._process.poll()})")
            parts.append(chunk)
        message, _, self._buffer = b"".join(parts).partition(b",")
        payload = json.loads(base64.b64decode(message))["payload"]
        if payload.get("type") == "Error":
            raise PagefindError(payload.get("message", "ukendt fejl"))
        return payload
