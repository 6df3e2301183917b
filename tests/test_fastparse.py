"""evalkit.fastparse: the same tables as ``textio.parse_table``, bit for bit, or ``None``."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from evalkit.errors import EvalkitError
from evalkit.fastparse import parse_tables
from evalkit.textio import parse_table

OTB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "otb"
WIDTH = 4


def reference(blob: bytes) -> np.ndarray | None:
    """``parse_table``'s table for ``blob``, or None where it reports an error."""
    try:
        return parse_table(blob.decode("utf-8", "replace"), "table.txt", (WIDTH,))
    except EvalkitError:
        return None


def assert_identical(got: np.ndarray, expected: np.ndarray) -> None:
    """Same shape, same values, and the same bits wherever the value is not NaN."""
    assert got.dtype == np.float64 and got.shape == expected.shape
    assert np.array_equal(got, expected, equal_nan=True)
    numbers = ~np.isnan(expected)
    assert np.array_equal(got[numbers].view(np.int64), expected[numbers].view(np.int64))


def parse_one(blob: bytes, width: int = WIDTH) -> np.ndarray | None:
    (table,) = parse_tables([blob], width)
    return table


@pytest.fixture(scope="module")
def otb_files() -> list[Path]:
    if not OTB.is_dir():
        pytest.skip("../shared data absent")
    return sorted(OTB.glob("results/*/*.txt")) + sorted(OTB.glob("OTB2015/*/groundtruth_rect*.txt"))


def test_every_otb_result_and_groundtruth_file_matches_parse_table(otb_files):
    blobs = [path.read_bytes() for path in otb_files]
    tables = parse_tables(blobs, WIDTH)
    assert len(tables) == len(blobs)
    for path, blob, table in zip(otb_files, blobs, tables):
        expected = parse_table(blob.decode("utf-8", "replace"), path, (WIDTH,))
        assert table is not None, path
        assert_identical(table, expected)
    empty = OTB / "OTB2015" / "Human4" / "groundtruth_rect.1.txt"
    assert tables[otb_files.index(empty)].shape == (0, WIDTH)


@pytest.mark.parametrize(
    "blob",
    [
        b"250\t168,106 105\n1;2 ,\t3  4\n",  # mixed delimiters, runs of them
        b"1,2,3,4\r\n5,6,7,8\r\n",  # CRLF
        b"1,2,3,4\n5,6,7,8",  # no final newline
        b"1,2,3,4\n5,6,7,8\n\n\n",  # trailing blank lines
        b"1,2,3,4\r\n\r\n  \r\n\t\n",  # trailing blank lines with CRs and blanks
        b"  1,2,3,4\n,5,6,7,8,\n",  # separators at the start and end of lines
        b"+2.5,.5,5.,-0\n-.5,+0.0,007,0.000123\n",  # signs, bare points, leading zeros
        b"1e3,1.5E-02,-2e-5,+3E+2\n",  # exponents
        b"NaN,nan,-inf,inf\n+nan,-nan,Infinity,-INF\n",  # named values
        b"214.27325581395348,196.00559097435237,0.1234567890123456,98765.43210987654\n",  # 17 digits
        b"12345678901234567,1234567890.1234567,.123456789012345678,123456789012345678\n",  # 17-18 digits
        b"4503599627370496.5,9007199254740993,0.30000000000000004,1e-320\n",  # ties in long double, subnormal
        b"1234567890123456789012,1_000,0.1,2\n",  # beyond 19 bytes, underscores: float's call
        b"",  # empty file
        b" \n,\n\n",  # separators only
    ],
)
def test_edge_cases_match_parse_table(blob):
    expected = reference(blob)
    assert expected is not None
    table = parse_one(blob)
    assert table is not None
    assert_identical(table, expected)


@pytest.mark.parametrize(
    "blob",
    [
        b"1,2,3\n4,5,6,7,8\n",  # 3 then 5 numbers
        b"1,2,3,4\n5,6,7\n",  # a short last row
        b"1,2,3,abc\n",  # not a number
        b"1,2,3,4\n\n5,6,7,8\n",  # blank line inside
        b"1,2,3,4\n  ,\n5,6,7,8\n",  # a line of separators inside
        b"\n1,2,3,4\n",  # blank line first
        b"1,2,3,4\r5,6,7,8\n",  # a lone CR splits a line
        b"1,2,3,4\x0c\n",  # form feed
        b"1,2,3,4\x00\n",  # NUL byte
        b"1,2,3,.\n",  # a bare point
        b"1,2,3,-\n",  # a bare sign
        b"1,2,3,1.2.3\n",  # two points
        b"1,2,3,1-2\n",  # a sign inside
        b"1,2,3,4\xc2\xa05\n",  # a non-ASCII space (str.split would split there)
    ],
)
def test_rejects_what_it_cannot_vouch_for(blob):
    assert parse_one(blob) is None


def test_width_and_many_files_at_once():
    blobs = [b"1 2\n3 4\n", b"", b"5,6,7\n", b"8\t9\n", b"x y\n"]
    tables = parse_tables(blobs, 2)
    assert [t if t is None else t.tolist() for t in tables] == [
        [[1.0, 2.0], [3.0, 4.0]],
        np.zeros((0, 2)).tolist(),
        None,
        [[8.0, 9.0]],
        None,
    ]
    assert parse_tables([], 4) == []
    with pytest.raises(ValueError):
        parse_tables([b"1\n"], 0)


def test_random_floats_in_common_formats_are_bit_identical_to_float():
    rng = random.Random(20260521)
    tokens = []
    for _ in range(2000):
        value = rng.uniform(-1, 1) * 10 ** rng.uniform(-6, 9)
        form = rng.choice(["repr", "%.3f", "%.1f", "%d"])
        tokens.append(repr(value) if form == "repr" else form % value)
    rows = [",".join(tokens[i : i + WIDTH]) for i in range(0, len(tokens), WIDTH)]
    table = parse_one(("\n".join(rows) + "\n").encode())
    assert table is not None
    expected = np.array([float(token) for token in tokens]).reshape(-1, WIDTH)
    assert np.array_equal(table.view(np.int64), expected.view(np.int64))


def test_random_layouts_agree_with_parse_table():
    rng = random.Random(7)
    numbers = [
        "0",
        "12",
        "-3",
        "+2.5",
        ".5",
        "5.",
        "214.27325581395348",
        "1e3",
        "nan",
        "-inf",
        "123456789.123",
    ]
    invalid = ["abc", "1.2.3", "-", ".", "1-2"]
    unusual = ["\x0b", "\r"]  # whitespace to str.split and line breaks to splitlines: left to parse_table
    separators = [",", "\t", ";", " ", ", ", " \t"]
    blobs, vouchable = [], []
    for _ in range(300):
        width = WIDTH if rng.random() < 0.9 else rng.choice([3, 5])
        lines, usual = [], True
        for _ in range(rng.randint(0, 6)):
            row = [rng.choice(numbers) for _ in range(width)]
            if rng.random() < 0.05:
                odd = rng.choice(invalid + unusual)
                row[rng.randrange(width)] += odd
                usual &= odd not in unusual
            lead, tail = rng.choice(["", " ", ","]), rng.choice(["", " ", ";"])
            lines.append(lead + rng.choice(separators).join(row) + tail)
        if lines and rng.random() < 0.1:
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(["", " ", ","]))
        end = rng.choice(["\n", "\r\n"])
        text = end.join(lines) + rng.choice(["", end, end * 3, end + " " + end])
        blobs.append(text.encode())
        vouchable.append(usual)
    for blob, usual, table in zip(blobs, vouchable, parse_tables(blobs, WIDTH)):
        expected = reference(blob)
        if expected is None or not usual:
            assert table is None or (
                expected is not None and np.array_equal(table, expected, equal_nan=True)
            ), blob
        else:
            assert table is not None, blob
            assert_identical(table, expected)
