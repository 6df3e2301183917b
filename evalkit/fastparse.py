"""Numeric text tables parsed in bulk with numpy, bit-identical to ``float`` on every token.

:func:`parse_tables` takes the raw bytes of many small tables in the format that
:func:`evalkit.textio.parse_table` accepts (numbers separated by runs of ``,`` tab ``;`` or space,
``\\n`` or ``\\r\\n`` line ends, trailing blank lines) and returns one float64 array per file, or
``None`` for a file it cannot vouch for: the caller then parses that file with ``parse_table``,
which is exact too and names the offending line.

How, for a batch of files at a time (about ``_BATCH_BYTES`` of text, so that the work arrays stay
in the cache and are reused from batch to batch instead of touching fresh memory; batches run on
a thread per CPU, as numpy releases the GIL in its loops):

* The files are copied into one byte buffer, each ending with a newline. Byte comparisons mark
  the bytes inside tokens; where that mark changes, a token starts or ends. Every byte also gets
  a code: a digit's value, or flags for "not a digit" and "not the point".
* Each token's last 8 bytes (24 for longer tokens) are gathered into 64-bit words and decoded
  inside the words, all tokens at once: the flags check that every byte is a digit or the one
  point, the point is taken out, and 8 digits at a time are combined by multiply-shift steps.
  That gives the exact integer mantissa ``M`` and the number of decimals ``d``.
* ``M / 10.0**d`` is the correctly rounded value when ``M <= 2**53``: both operands are exact
  and IEEE division rounds once. Longer mantissas (17-digit reprs) are divided in x87 long double,
  whose 64-bit quotient rounds correctly to float64 unless it lies exactly on a float64 rounding
  midpoint; those rare tokens are redone by ``float``.
* Signs, ``nan`` and ``inf`` are handled on the few tokens that have them; any other form
  (exponents, underscores, more than 19 bytes) goes to ``float`` itself, one token at a time.
* Rows are checked without a loop: the gap after a token says whether a line ends there, and
  every line must end after exactly ``width`` tokens. Blank lines inside a file, control bytes
  and a lone ``\\r`` make the file ``None``.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["parse_tables"]

_BATCH_BYTES = 1 << 18  # text per batch: enough to amortise numpy's call overhead, small enough for the cache
_WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_LEAD = 24  # separator bytes before the text, so a 24-byte window ending at any token stays inside
_WORD = 8  # bytes in a 64-bit word
_LONG = 19  # longest token for the three-word path: 18 digits and a point stay below 2**64
_INTEGER_DIGITS = 15  # most integer digits there, so that floor(N / 10**s) is exact in float64
_EXACT = 2**53  # integers up to this are exact in float64

_NEWLINE, _TAB, _CR, _SPACE, _COMMA, _SEMICOLON, _MINUS, _PLUS = b"\n\t\r ,;-+"
_GAP_BYTES = np.zeros(256, bool)
_GAP_BYTES[list(b"\n\t\r ,;")] = True  # all that a run of separators may hold

_X87 = (  # long double is x87 extended: a 64-bit significand in the low 8 of 16 little-endian bytes
    np.finfo(np.longdouble).nmant == 63
    and np.dtype(np.longdouble).itemsize == 16
    and sys.byteorder == "little"
)
_BEYOND_DOUBLE = np.uint64(0x7FF)  # the 11 significand bits an x87 value has beyond float64's
_MIDPOINT = np.uint64(0x400)  # their pattern when the value lies halfway between two float64s

_POW10 = 10.0 ** np.arange(23)  # exact in float64
_POW10_X87 = np.longdouble(10) ** np.arange(20)  # exact: 5**19 < 2**64
_POINT_PLACE = np.array([0] + [10**k for k in range(_LONG)], np.uint64)  # 10**(s-1), none without a point
_NAN, _INF = float("nan"), float("inf")
_SPELLINGS = {int.from_bytes(b"nan", "little"): _NAN, int.from_bytes(b"inf", "little"): _INF}
_LOWER = np.uint64(0x202020)  # ORed into three ASCII letters, makes them lower case

# Byte codes: a digit becomes 0..9, the point 0x9E (low nibble 14), any other byte gets 0xC0.
_TO_DIGIT = ord("0")
_NOT_DIGIT = 0xC0
_POINT_CODE = (ord(".") ^ _TO_DIGIT) | _NOT_DIGIT
_POINT_BIT = 0x40  # cleared in the point's code: what tells it from the other non-digits


def _each_byte(value: int) -> np.uint64:
    """``value`` in every byte of a 64-bit word."""
    return np.uint64(value * 0x0101010101010101)


_FLAG = _each_byte(0x80)  # set in every non-digit
_OTHER = _each_byte(_POINT_BIT)  # set in every non-digit but the point
_NIBBLE = _each_byte(0x0F)  # a digit's value; the point's code reads as the digit 14
_ONES = _each_byte(1)  # multiplying bytes of 0/1 by this adds them up into the top byte
_BYTES_FROM = np.uint64(
    0x0807060504030201
)  # times a point bit: bytes from it to the word's end, in the top byte
_TOP_BYTE = np.uint64(56)
_KEEP = np.array([0] + [(1 << 64) - (1 << (64 - 8 * k)) for k in range(1, _WORD + 1)], np.uint64)
_COMBINE = (  # multiply, shift, mask: digit pairs, then pairs of pairs, then the two halves
    (np.uint64(10 << 8 | 1), np.uint64(8), np.uint64(0x00FF00FF00FF00FF)),
    (np.uint64(100 << 16 | 1), np.uint64(16), np.uint64(0x0000FFFF0000FFFF)),
    (np.uint64(10000 << 32 | 1), np.uint64(32), None),
)
_WINDOW8 = np.dtype("<u8")
_WINDOW24 = np.dtype((np.void, 3 * _WORD))


def parse_tables(blobs: list[bytes], width: int) -> list[np.ndarray | None]:
    """Parse many tables of ``width`` numbers per row: a (rows, width) float64 array per file.

    A file gets ``None`` where this parser cannot vouch for it (a malformed or unusual row, a
    control byte); ``evalkit.textio.parse_table`` then gives its exact result or error. An empty
    file (or one of separators only) gives shape (0, width). Every value equals ``float(token)``.
    The arrays of a batch of files are views of one buffer.
    """
    if width < 1:
        raise ValueError(f"width must be positive, not {width}")
    lengths = np.fromiter(map(len, blobs), np.int64, len(blobs))
    batches = _batches(lengths)
    local = threading.local()

    def parse(bounds: tuple[int, int]) -> list[np.ndarray | None]:
        if not hasattr(local, "scratch"):
            local.scratch = _Scratch()
        first, stop = bounds
        return _parse_batch(blobs[first:stop], lengths[first:stop], width, local.scratch)

    with ThreadPoolExecutor(max(1, min(_WORKERS, len(batches)))) as pool:
        return [table for tables in pool.map(parse, batches) for table in tables]


class _Scratch:
    """Work arrays reused from batch to batch: fresh memory is slow to touch the first time."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def __call__(self, name: str, size: int, dtype: np.dtype | type) -> np.ndarray:
        """``size`` elements of the work array ``name``; the contents are left as they were."""
        array = self._arrays.get(name)
        if array is None or array.size < size:
            array = self._arrays[name] = np.empty(size + size // 2, dtype)
        return array[:size]


def _batches(lengths: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive file ranges of about ``_BATCH_BYTES`` of text each (a big file is alone)."""
    batch = np.cumsum(lengths + 1) // _BATCH_BYTES
    cuts = np.flatnonzero(np.diff(batch)) + 1
    bounds = [0, *cuts.tolist(), len(lengths)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _parse_batch(blobs: list[bytes], lengths: np.ndarray, width: int, scratch: _Scratch) -> list:
    """:func:`parse_tables` for one batch of files."""
    text, file_starts = _join(blobs, lengths, scratch)
    begins, ends, single = _token_bounds(text, scratch)
    code = _digit_codes(text, scratch)
    values = np.empty(ends.size)  # fresh: the tables returned are views of it
    failed = _token_values(code, text, begins, ends, values, scratch)
    bad = _bad_files(text, begins, ends, single, file_starts, width, scratch)
    bad[_file_of(file_starts, begins[failed])] = True
    bounds = np.searchsorted(begins, file_starts).tolist() + [ends.size]
    return [
        None if skip else values[lo:hi].reshape(-1, width)
        for skip, lo, hi in zip(bad.tolist(), bounds[:-1], bounds[1:])
    ]


def _join(blobs: list[bytes], lengths: np.ndarray, scratch: _Scratch) -> tuple[np.ndarray, np.ndarray]:
    """The batch as one buffer: ``_LEAD`` spaces, then the files, each ending with a newline.

    A newline is added only where a file lacks one, so that in common files every gap between
    tokens is one byte. Returns the buffer and where each file starts, counted from the end of
    the lead.
    """
    unended = np.fromiter((blob[-1:] not in (b"\n", b"") for blob in blobs), bool, len(blobs))
    sizes = lengths + unended
    file_starts = np.cumsum(sizes) - sizes
    text = scratch("text", _LEAD + int(sizes.sum()), np.uint8)
    text[:_LEAD] = _SPACE
    view = memoryview(text)[_LEAD:]
    for blob, start in zip(blobs, file_starts.tolist()):
        view[start : start + len(blob)] = blob
    text[_LEAD + (file_starts + lengths)[unended]] = _NEWLINE
    return text, file_starts


def _token_bounds(text: np.ndarray, scratch: _Scratch) -> tuple[np.ndarray, np.ndarray, bool]:
    """Begin and end (exclusive) of every token, counted from the end of the lead.

    A token is a maximal run of bytes above space other than ``,`` and ``;``; lower bytes are
    separators (the ones other than tab, CR and newline are rejected later). The flag says that
    every gap between tokens is a single byte; then the begins follow from the ends.
    """
    window = text[_LEAD - 1 :]  # from the last lead byte, so that positions count from the body
    inside = scratch("inside", window.size, bool)
    marks = scratch("marks", window.size, bool)
    np.greater(window, _SPACE, out=inside)
    np.not_equal(window, _COMMA, out=marks)
    inside &= marks
    np.not_equal(window, _SEMICOLON, out=marks)
    inside &= marks
    marks = marks[:-1]
    np.greater(inside[:-1], inside[1:], out=marks)
    ends = np.flatnonzero(marks)
    begins = scratch("begins", ends.size, np.int64)
    single = window.size - np.count_nonzero(inside) == ends.size + 1
    if single:
        begins[:1] = 0
        np.add(ends[:-1], 1, out=begins[1:])
    else:
        np.less(inside[:-1], inside[1:], out=marks)
        begins[:] = np.flatnonzero(marks)
    return begins, ends, single


def _windows(array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Overlapping windows of ``array`` (text or codes): window ``e`` ends before body byte ``e``."""
    offset = _LEAD - dtype.itemsize
    return np.ndarray((array.size - _LEAD,), dtype, buffer=array, offset=offset, strides=(1,))


def _digit_codes(text: np.ndarray, scratch: _Scratch) -> np.ndarray:
    """Every byte's code: a digit's value, ``_POINT_CODE`` for the point, 0xC0 set for others."""
    code = scratch("code", text.size, np.uint8)
    flag = scratch("code_flag", text.size, bool)
    spare = scratch("code_spare", text.size, np.uint8)
    np.bitwise_xor(text, _TO_DIGIT, out=code)
    np.greater(code, 9, out=flag)
    np.multiply(flag.view(np.uint8), _NOT_DIGIT, out=spare)
    code |= spare
    np.equal(code, _POINT_CODE | _POINT_BIT, out=flag)
    np.multiply(flag.view(np.uint8), _POINT_BIT, out=spare)
    code ^= spare
    return code


def _token_values(
    code: np.ndarray,
    text: np.ndarray,
    begins: np.ndarray,
    ends: np.ndarray,
    values: np.ndarray,
    scratch: _Scratch,
) -> np.ndarray:
    """Every token's value into ``values``; returns the indices of tokens that are not numbers."""
    lengths = scratch("lengths", ends.size, np.int64)
    np.subtract(ends, begins, out=lengths)
    ok = _decode(code, ends, lengths, values, scratch)
    rest = np.flatnonzero(~ok)
    return _decode_rest(code, text, begins[rest], ends[rest], rest, values, scratch)


def _decode(
    code: np.ndarray, ends: np.ndarray, lengths: np.ndarray, values: np.ndarray, scratch: _Scratch
) -> np.ndarray:
    """Plain decimals (``[digits][.digits]``) into ``values``; True where a token was one."""
    ok = _decode_short(code, ends, lengths, values, scratch)
    longer = scratch("longer", ends.size, bool)
    np.greater(lengths, _WORD, out=longer)
    longer = np.flatnonzero(longer)
    if longer.size:
        ok[longer] = False
        longer = longer[lengths[longer] <= _LONG]
        values[longer], ok[longer] = _decode_long(code, ends[longer], lengths[longer], scratch)
    return ok


def _decode_short(
    code: np.ndarray, ends: np.ndarray, lengths: np.ndarray, values: np.ndarray, scratch: _Scratch
) -> np.ndarray:
    """Tokens of at most 8 bytes, one 64-bit word each (longer ones give junk; the caller knows)."""
    n = ends.size
    word = _windows(code, _WINDOW8)[ends]  # fancy indexing: take() would copy all the windows
    spare = scratch("spare", n, np.uint64)
    np.take(_KEEP, lengths, out=spare, mode="clip")
    word &= spare  # the token's bytes only
    point = scratch("point", n, np.uint64)
    np.bitwise_and(word, _FLAG, out=point)
    count = scratch("count", n, np.uint8)
    np.bitwise_count(point, out=count)  # non-digits: the point at most
    ok = scratch("ok", n, bool)
    test = scratch("test", n, bool)
    np.less(count, lengths, out=ok)  # a digit at least
    np.less_equal(count, 1, out=test)
    ok &= test
    np.bitwise_and(word, _OTHER, out=spare)
    np.equal(spare, 0, out=test)
    ok &= test
    point >>= 7
    scale = scratch("scale", n, np.uint64)  # bytes from the point to the end: 10**scale divides
    np.multiply(point, _BYTES_FROM, out=scale)
    scale >>= _TOP_BYTE
    np.negative(point, out=point)  # every bit from the point up
    _drop_point(word, point, spare)
    _combine_digits(word)
    divisor = scratch("divisor", n, np.float64)
    np.take(_POW10, scale.view(np.int64), out=divisor, mode="clip")
    np.divide(word.view(np.int64), divisor, out=values)
    return ok


def _drop_point(word: np.ndarray, upper: np.ndarray, spare: np.ndarray) -> None:
    """Move the bytes in ``upper`` (from the point up) one byte down, over the point.

    The last byte becomes a 0 digit, so the word reads 10 times the mantissa; the scale, which
    counts the bytes from the point to the end, makes up for it.
    """
    np.right_shift(word, 8, out=spare)
    spare ^= word
    spare &= upper
    word ^= spare


def _combine_digits(word: np.ndarray) -> None:
    """Replace 8 digits (first digit in the low byte) by the number they spell."""
    for multiply, shift, mask in _COMBINE:
        word *= multiply
        word >>= shift
        if mask is not None:
            word &= mask


def _decode_long(
    code: np.ndarray, ends: np.ndarray, lengths: np.ndarray, scratch: _Scratch
) -> tuple[np.ndarray, np.ndarray]:
    """Tokens of 9 to 19 bytes, at most one of them a point: values, and True where that worked.

    The last 24 bytes make three words. The point reads as the digit 14 in the number they spell,
    ``N = I * 10**s + 14 * 10**(s-1) + F`` where ``s`` counts the bytes from the point to the end;
    ``floor(N / 10**s) - 1`` is the integer part ``I`` exactly (that quotient's fraction lies in
    [0.4, 0.5), far from the float error while ``I`` has at most 15 digits), so the mantissa is
    ``M = N - 10**(s-1) * (9 * I + 14)``.
    """
    m = ends.size
    flat = _windows(code, _WINDOW24)[ends].view(np.uint64)
    words = flat.reshape(m, 3)
    keep = scratch("long_keep", m, np.uint64)
    np.take(_KEEP, lengths - 2 * _WORD, out=keep, mode="clip")  # the token's bytes only
    words[:, 0] &= keep
    partial = np.flatnonzero(lengths < 2 * _WORD)  # few: the second word is full in the others
    words[partial, 1] &= _KEEP[lengths[partial] - _WORD]
    ok = (words[:, 0] | words[:, 1] | words[:, 2]) & _OTHER == 0
    point = scratch("long_point", 3 * m, np.uint64).reshape(m, 3)
    np.bitwise_and(words, _FLAG, out=point)
    point >>= 7
    count = point[:, 0] + point[:, 1]
    count += point[:, 2]
    count *= _ONES
    ok &= count >> _TOP_BYTE <= 1
    scale = point[:, 2] * _BYTES_FROM  # bytes from the point to the end: 10**scale divides
    scale += point[:, 1] * (_BYTES_FROM + _ONES * np.uint64(_WORD))
    scale += point[:, 0] * (_BYTES_FROM + _ONES * np.uint64(2 * _WORD))
    scale >>= _TOP_BYTE
    ok &= (lengths - scale.view(np.int64) <= _INTEGER_DIGITS) | (scale == 0)
    scale[~ok] = 0  # junk where there are several non-digits
    flat &= _NIBBLE
    _combine_digits(flat)
    number = words[:, 0] * np.uint64(10 ** (2 * _WORD))
    number += words[:, 1] * np.uint64(10**_WORD)
    number += words[:, 2]
    scale = scale.view(np.int64)
    integer = np.floor(number / _POW10[scale])
    integer -= 1
    np.maximum(integer, 0, out=integer)
    correction = integer.astype(np.uint64)
    correction *= np.uint64(9)
    correction += np.uint64(14)
    correction *= _POINT_PLACE[scale]
    number -= correction
    values, exact = _divide(number, np.maximum(scale - 1, 0))
    return values, ok & exact


def _divide(mantissa: np.ndarray, decimals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``mantissa / 10**decimals`` correctly rounded, and False where that cannot be vouched for.

    Mantissas above 2**53 need x87 long double; without it they are not vouched for.
    """
    if not _X87:
        return mantissa / _POW10[decimals], mantissa <= np.uint64(_EXACT)
    quotient = mantissa.astype(np.longdouble)
    quotient /= _POW10_X87[decimals]
    exact = quotient.view(np.uint64)[0::2] & _BEYOND_DOUBLE != _MIDPOINT
    return quotient.astype(np.float64), exact


def _decode_rest(
    code: np.ndarray,
    text: np.ndarray,
    begins: np.ndarray,
    ends: np.ndarray,
    index: np.ndarray,
    values: np.ndarray,
    scratch: _Scratch,
) -> np.ndarray:
    """Tokens that are not plain decimals: signed ones, nan, inf, then ``float`` itself.

    Writes ``values[index]``; returns the indices of tokens that are not numbers at all.
    """
    body = text[_LEAD:]
    lengths = ends - begins
    sign = body[begins]
    negative = sign == _MINUS
    signed = negative | (sign == _PLUS)
    magnitude = np.full(index.size, np.nan)
    done = np.zeros(index.size, bool)
    plain = np.flatnonzero(signed)
    if plain.size:
        part = np.empty(plain.size)
        ok = _decode(code, ends[plain], lengths[plain] - 1, part, scratch)
        magnitude[plain[ok]] = part[ok]
        done[plain[ok]] = True
    named = np.flatnonzero(~done & (lengths - signed == 3))
    if named.size:
        spelled = _windows(text, _WINDOW8)[ends[named]] >> np.uint64(40) | _LOWER
        for spelling, value in _SPELLINGS.items():
            hit = named[spelled == np.uint64(spelling)]
            magnitude[hit] = value
            done[hit] = True
    values[index] = np.where(negative, -magnitude, magnitude)
    failed = []
    for i in np.flatnonzero(~done).tolist():
        try:
            values[index[i]] = float(body[begins[i] : ends[i]].tobytes())
        except ValueError:
            failed.append(index[i])
    return np.array(failed, np.int64)


def _file_of(file_starts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Which file each position (counted from the end of the lead) lies in."""
    return np.searchsorted(file_starts, positions, side="right") - 1


def _bad_files(
    text: np.ndarray,
    begins: np.ndarray,
    ends: np.ndarray,
    single: bool,
    file_starts: np.ndarray,
    width: int,
    scratch: _Scratch,
) -> np.ndarray:
    """True for files whose layout ``parse_table`` might read differently.

    Looks at the run of separators (gap) after every token: it ends a line when it holds a
    newline. Every line must hold exactly ``width`` tokens; a gap may hold only separators, a CR
    only before a newline, and no newline that makes a blank line before or between a file's
    tokens (trailing blank lines are fine).
    """
    body = text[_LEAD:]
    bad = np.zeros(file_starts.size, bool)
    first = scratch("gap_first", ends.size, np.uint8)
    np.take(body, ends, out=first, mode="clip")
    line_end = scratch("line_end", ends.size, bool)
    np.equal(first, _NEWLINE, out=line_end)
    odd = (first < _SPACE) & ~line_end & (first != _TAB)
    if not single:
        sizes = np.empty(ends.size, np.int64)
        np.subtract(begins[1:], ends[:-1], out=sizes[:-1])
        sizes[-1:] = body.size - ends[-1:]
        odd &= sizes == 1
        _check_long_gaps(body, begins, ends, sizes, file_starts, line_end, bad)
    bad[_file_of(file_starts, ends[odd])] = True
    rows = np.flatnonzero(line_end)
    short = rows[np.diff(rows, prepend=-1) != width]
    bad[_file_of(file_starts, begins[short])] = True
    return bad


def _check_long_gaps(
    body: np.ndarray,
    begins: np.ndarray,
    ends: np.ndarray,
    sizes: np.ndarray,
    file_starts: np.ndarray,
    line_end: np.ndarray,
    bad: np.ndarray,
) -> None:
    """Gaps of more than one byte, and the one before the first token, byte by byte.

    Sets ``line_end`` for them and marks ``bad`` the files with a strange byte or a blank line.
    Gap ``k`` follows token ``k - 1`` and precedes token ``k``.
    """
    n = ends.size
    gap = np.flatnonzero(sizes > 1) + 1
    start, size = ends[gap - 1], sizes[gap - 1]
    lead = int(begins[0]) if n else body.size
    if lead:
        gap, start, size = np.r_[0, gap], np.r_[0, start], np.r_[lead, size]
    if gap.size == 0:
        return
    offsets = np.cumsum(size) - size
    owner = np.repeat(np.arange(gap.size), size)  # the gap of each byte
    positions = np.arange(owner.size) + np.repeat(start - offsets, size)
    byte = body[positions]
    after = body[np.minimum(positions + 1, body.size - 1)]
    strange = ~_GAP_BYTES[byte] | ((byte == _CR) & (after != _NEWLINE))
    bad[_file_of(file_starts, positions[strange])] = True
    if n == 0:
        return
    newline = byte == _NEWLINE
    follows = gap > 0
    line_end[gap[follows] - 1] = (np.add.reduceat(newline, offsets) > 0)[follows]
    lines = np.flatnonzero(newline)
    rank = np.arange(lines.size) - np.searchsorted(lines, offsets)[owner[lines]]  # within its gap
    gap = gap[owner[lines]]
    file = _file_of(file_starts, positions[lines])
    previous = np.where(gap > 0, _file_of(file_starts, begins[np.maximum(gap - 1, 0)]), -1)
    following = np.where(gap < n, _file_of(file_starts, begins[np.minimum(gap, n - 1)]), -1)
    blank = (file == following) & ((previous != file) | (rank > 0))
    bad[file[blank]] = True
