"""The run's queue of LLM requests: at most N in flight, re-asks served first.

The core agent's entity groups and the agents that start with it share the endpoint, so the
run bounds its requests in flight here. A re-ask (an answer failed validation and is asked
again) goes to the front of the queue: it is what the agent, and often the run, waits on.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FIRST_ASK, REASK = 1, 0
"""Priorities: lower is served first."""


class RequestQueue:
    """A counting semaphore that wakes waiters by priority, then in arrival order."""

    def __init__(self, slots: int) -> None:
        """Allow ``slots`` requests in flight at once."""
        self.free = max(1, slots)
        self._condition = threading.Condition()
        self._waiting: list[tuple[int, int]] = []
        self._tickets = itertools.count()
        self.served: list[int] = []
        """Priorities in the order requests were admitted (for tests)."""

    @contextmanager
    def slot(self, priority: int = FIRST_ASK) -> Iterator[None]:
        """Hold one request slot for the ``with`` block, waiting by ``priority``."""
        ticket = (priority, next(self._tickets))
        with self._condition:
            heapq.heappush(self._waiting, ticket)
            while self.free == 0 or self._waiting[0] != ticket:
                self._condition.wait()
            heapq.heappop(self._waiting)
            self.free -= 1
            self.served.append(priority)
            self._condition.notify_all()
        try:
            yield
        finally:
            with self._condition:
                self.free += 1
                self._condition.notify_all()
