"""What the client raises."""

from __future__ import annotations

import re
from typing import Optional


class ModelRailsError(Exception):
    """The backend could not be reached, or did not commit in time: the same request may be sent again."""


class Rejected(ModelRailsError):
    """The backend refused the request (4xx): sending it again would be refused again."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message

    @property
    def field(self) -> Optional[str]:
        """The field the backend named (``events[12].latencyMs``), when it named one."""
        match = re.match(r"^([A-Za-z_][\w.\[\]-]*(?:\[\d+\])?(?:\.[^:\s]+)*): ", self.message)
        if match:
            return match.group(1)
        # Schema-validated routes name the field as a JSON pointer ("/body/training/datasets/0/digest").
        match = re.search(r"(/body/[\w/@.-]+)", self.message)
        return match.group(1) if match else None


class InvalidEvent(ValueError):
    """An event the backend would refuse, named by its field (raised at the call site in strict mode)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message
