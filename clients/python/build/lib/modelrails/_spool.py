"""A directory of batches not yet committed, so a process killed mid-send sends them after its restart.

Each batch is written (to a temporary name, then renamed: a crash never leaves half a file) before
it is first sent, and removed once the backend committed or refused it. A batch sent again keeps its
batch id and sequences, so the backend answers ``redelivered`` instead of counting it twice.
One process owns a spool directory at a time (an exclusive lock on ``.lock``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one process per directory is the caller's promise there.
    fcntl = None  # type: ignore[assignment]


class SpoolLocked(RuntimeError):
    """Another live process owns the spool directory."""


class Spool:
    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.directory / ".lock", "a+")  # noqa: SIM115 - held for the spool's life
        if fcntl is not None:
            try:
                fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                self._lock.close()
                raise SpoolLocked(f"{directory} is in use by another process (one spool directory per process)") from error

    def _path(self, kind: str, batch_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in batch_id)
        return self.directory / f"{kind}.{safe}.json"

    def save(self, kind: str, body: Dict[str, Any], last_sequences: Optional[Dict[str, int]] = None) -> Path:
        if last_sequences is not None:
            # The highest sequence per stream this sender used, before the batch can reach the backend.
            self._write(self.directory / "sequences", json.dumps(last_sequences))
        path = self._path(kind, body["batchId"])
        self._write(path, json.dumps(body, separators=(",", ":")))
        return path

    @staticmethod
    def _write(path: Path, text: str) -> None:
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)

    def last_sequences(self) -> Dict[str, int]:
        try:
            stored = json.loads((self.directory / "sequences").read_text())
        except (OSError, ValueError):
            return {}
        return {k: int(v) for k, v in stored.items() if isinstance(v, int)} if isinstance(stored, dict) else {}

    def remove(self, kind: str, batch_id: str) -> None:
        self._path(kind, batch_id).unlink(missing_ok=True)

    def pending(self) -> Iterator[Tuple[str, Dict[str, Any]]]:
        """Batches left by an earlier process, oldest first; unreadable files are set aside as ``.bad``."""
        files = sorted(self.directory.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for path in files:
            kind = path.name.split(".", 1)[0]
            try:
                body = json.loads(path.read_text())
            except (OSError, ValueError):
                path.rename(path.with_suffix(".bad"))
                continue
            yield kind, body

    def close(self) -> None:
        self._lock.close()
