"""The two ways evalkit reports bad input: an error that stops, a problem that names a policy.

Both carry a location (``file`` or ``file:line``) so the command line can print one line that says
where the problem is. ``--strict`` turns every reported problem into an error.
"""

from __future__ import annotations

from pathlib import Path


def _where(path: str | Path | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line is not None else f"{path}: "


class EvalkitError(Exception):
    """Bad input or an impossible request; the message is one line and names the file."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = path
        self.line = line
        super().__init__(_where(path, line) + message)


_strict = False


def set_strict(strict: bool) -> None:
    """Make every reported input problem an error (the CLI's ``--strict``)."""
    global _strict
    _strict = strict


class Problems:
    """Input problems of one kind, collected per folder so a report prints one line per kind.

    ``add`` raises at once in strict mode; otherwise ``lines()`` gives lines such as
    ``results/SiamRPN: first row looks like x1,y1,x2,y2 (100): Basketball.txt, ...``.
    """

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], list[str]] = {}

    def add(self, folder: str | Path, what: str, item: str) -> None:
        if _strict:
            raise EvalkitError(f"{what}: {item} (strict mode)", folder)
        self._groups.setdefault((str(folder), what), []).append(item)

    def lines(self, shown: int = 4) -> list[str]:
        out = []
        for (folder, what), items in self._groups.items():
            listed = ", ".join(items[:shown]) + (", ..." if len(items) > shown else "")
            out.append(f"{folder}: {what} ({len(items)}): {listed}")
        return out

    def __bool__(self) -> bool:
        return bool(self._groups)
