"""Plain progress output stays one whole line per event when agents report from threads."""

from __future__ import annotations

import io
import threading
import time

from backendgen.generator.progress import PlainProgress


class _SlowStream(io.StringIO):
    """A stream that lets other threads run between the pieces one line is written in."""

    def write(self, text: str) -> int:
        for char in text:
            super().write(char)
            time.sleep(0)
        return len(text)


def test_lines_from_many_threads_never_interleave() -> None:
    stream = _SlowStream()
    progress = PlainProgress(stream)
    expected = {f"agent{thread} line{i}" for thread in range(6) for i in range(40)}

    def report(thread: int) -> None:
        for i in range(40):
            progress.line(f"agent{thread} line{i}")

    threads = [threading.Thread(target=report, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = stream.getvalue().split("\n")
    assert lines[-1] == ""
    assert sorted(lines[:-1]) == sorted(expected)
