"""Numeric text tables as trackers and benchmarks write them.

Accepts comma, tab, space and semicolon delimiters (mixed within one file), CRLF endings, trailing
blank lines, integers or floats and ``NaN``. A malformed row raises :class:`EvalkitError` naming the
file and the 1-based line.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np

from evalkit.errors import EvalkitError

_DELIMITERS = re.compile(r"[,\t;]")


def read_table(path: str | Path, columns: int | tuple[int, ...] = 4) -> np.ndarray:
    """Read a numeric table of ``columns`` values per row (one width, or any of several).

    Returns a float64 array of shape (rows, width); an empty file gives (0, width) of the first
    allowed width.
    """
    widths = (columns,) if isinstance(columns, int) else tuple(columns)
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise EvalkitError("file not found", path) from None
    except OSError as exc:
        raise EvalkitError(f"cannot read ({exc.strerror})", path) from None
    return parse_table(text, path, widths)


def read_tables(paths: list[Path], width: int = 4) -> dict[Path, np.ndarray]:
    """Many tables of ``width`` numbers per row at once: parsed in bulk by
    :func:`evalkit.fastparse.parse_tables`, any file it cannot vouch for by :func:`parse_table`
    (same values, bit for bit, and an error naming the bad line)."""
    from evalkit.fastparse import parse_tables

    blobs = []
    for path in paths:
        try:
            blobs.append(Path(path).read_bytes())
        except FileNotFoundError:
            raise EvalkitError("file not found", path) from None
        except OSError as exc:
            raise EvalkitError(f"cannot read ({exc.strerror})", path) from None
    tables = {}
    for path, blob, table in zip(paths, blobs, parse_tables(blobs, width)):
        if table is None:
            table = parse_table(blob.decode("utf-8", errors="replace"), path, (width,))
        tables[path] = table
    return tables


def parse_table(text: str, path: str | Path, widths: tuple[int, ...]) -> np.ndarray:
    rows = [line.split() for line in _DELIMITERS.sub(" ", text).splitlines()]
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        return np.zeros((0, widths[0]))
    if len({len(row) for row in rows}) == 1 and len(rows[0]) in widths:
        try:
            return np.array(rows, dtype=np.float64)
        except ValueError:
            pass
    _raise_first_bad_row(rows, path, widths)
    raise AssertionError("unreachable")


def _raise_first_bad_row(rows: list[list[str]], path: str | Path, widths: tuple[int, ...]) -> None:
    expected = " or ".join(str(w) for w in widths)
    first_width = None
    for number, values in enumerate(rows, start=1):
        if not values:
            raise EvalkitError(f"empty line; expected {expected} numbers", path, number)
        for value in values:
            try:
                float(value)
            except ValueError:
                raise EvalkitError(f"not a number: {value!r}", path, number) from None
        if len(values) not in widths:
            raise EvalkitError(f"expected {expected} numbers, found {len(values)}", path, number)
        if first_width is None:
            first_width = len(values)
        elif len(values) != first_width:
            raise EvalkitError(
                f"found {len(values)} numbers where earlier rows have {first_width}", path, number
            )


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()  # what open() would give; mkstemp alone gives 0600


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so a
    reader never sees a half-written file and an interrupted write leaves the old one intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` with ``\\n`` line ends atomically (see :func:`write_bytes_atomic`)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def format_table(table: np.ndarray, fmt: str = "%.3f", delimiter: str = ",") -> str:
    """Rows of ``table`` as text, one line each, ``fmt`` per value (got10k writes ``%.3f``)."""
    table = np.atleast_2d(np.asarray(table, dtype=np.float64))
    row = delimiter.join([fmt] * table.shape[1])
    return "".join(row % tuple(values) + "\n" for values in table)
