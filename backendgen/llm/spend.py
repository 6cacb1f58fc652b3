"""The run-level spend cap (``--max-cost``): measured spend, and a reservation per request.

A request may be sent while the measured spend plus the worst-case cost of the requests in
flight stays under the cap. Each in-flight request's real cost is at most its reservation,
so the run's spend ends below the cap plus the cost of one request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from backendgen.errors import SpendCapError


@dataclass
class SpendLedger:
    """What the run spent, and what its requests in flight may still cost."""

    cap_usd: float | None = None
    """The cap; None for no cap."""
    spent_usd: float = 0.0
    """Measured cost of every answer received so far."""
    reserved_usd: float = 0.0
    """Worst-case cost of the requests in flight."""
    refused: int = 0
    """Requests not sent because of the cap."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reserve(self, worst_case_usd: float) -> float:
        """Admit one request, or refuse it when the cap is reached.

        Args:
            worst_case_usd: The most the request can cost.

        Returns:
            The reservation, to hand to :meth:`settle`.

        Raises:
            SpendCapError: When the spend plus the requests in flight reach the cap.
        """
        with self.lock:
            if self.cap_usd is not None and self.spent_usd + self.reserved_usd >= self.cap_usd:
                self.refused += 1
                raise SpendCapError(
                    f"run spend cap of ${self.cap_usd:.4f} reached "
                    f"(${self.spent_usd:.4f} spent; --max-cost)"
                )
            self.reserved_usd += worst_case_usd
            return worst_case_usd

    def settle(self, reservation: float, actual_usd: float) -> None:
        """Replace a request's reservation with its measured cost (0 for a failed request)."""
        with self.lock:
            self.reserved_usd = max(self.reserved_usd - reservation, 0.0)
            self.spent_usd += actual_usd
