"""Reading a CSV table with a header for the command line: the csv module and NumPy,
no pandas. Every problem with the file raises ``InputError`` with one line that
says where (file, line, column) and what is wrong."""

from __future__ import annotations

import csv
import math
import operator
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validation import FloatArray


class InputError(Exception):
    """Bad input from the user (a file, a column, a cell): reported in one line, exit status 2."""


@dataclass(frozen=True)
class Table:
    """A CSV file's header and rows of text cells (as read, spaces included), every row as
    long as the header."""

    path: str
    header: list[str]
    rows: list[list[str]]
    #: The line in the file where each row starts (1 is the header), for messages.
    lines: list[int]

    def index(self, column: str) -> int:
        try:
            return self.header.index(column)
        except ValueError:
            raise InputError(f"{self.path}: no column {column!r} (columns: {_listing(self.header)})") from None

    def numbers(self, columns: Sequence[str]) -> FloatArray:
        """The named columns as a finite float64 array of shape (n_rows, len(columns))."""
        indices = [self.index(column) for column in columns]
        pick = operator.itemgetter(*indices)
        try:
            # One conversion in C for the whole block (float() accepts surrounding spaces).
            values = np.array([pick(row) for row in self.rows], dtype=np.float64)
        except ValueError:
            values = None
        if values is None or not np.isfinite(values).all():
            self._raise_bad_cell(indices)
        assert values is not None
        return values.reshape(len(self.rows), len(indices))

    def texts(self, column: str) -> list[str]:
        """One column's cells, as text; empty cells are an error."""
        i = self.index(column)
        cells = [row[i].strip() for row in self.rows]
        for cell, line in zip(cells, self.lines):
            if cell == "":
                raise InputError(f"{self.path}, line {line}, column {column!r}: empty cell (missing value)")
        return cells

    def _raise_bad_cell(self, indices: Sequence[int]) -> None:
        for row, line in zip(self.rows, self.lines):
            for i in indices:
                where = f"{self.path}, line {line}, column {self.header[i]!r}"
                cell = row[i].strip()
                if cell == "":
                    raise InputError(f"{where}: empty cell (missing value)")
                try:
                    number = float(cell)
                except ValueError:
                    raise InputError(f"{where}: {cell!r} is not a number") from None
                if not math.isfinite(number):
                    raise InputError(f"{where}: {cell!r} is not a finite number (NaN and inf are not allowed)")
        raise AssertionError("a cell failed to convert but none was found")  # pragma: no cover


def _listing(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def read_table(path: str) -> Table:
    """Read a comma-separated file whose first non-blank line is the header.

    Spaces around cells are ignored; blank lines are skipped; so is a UTF-8
    byte-order mark.
    """
    file = Path(path)
    if not file.exists():
        raise InputError(f"{path}: no such file")
    if file.is_dir():
        raise InputError(f"{path}: is a directory, not a CSV file")
    try:
        with file.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream)
            header: list[str] | None = None
            rows: list[list[str]] = []
            lines: list[int] = []
            line = reader.line_num + 1
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):  # a blank line
                    line = reader.line_num + 1
                    continue
                if header is None:
                    header = _header(path, [name.strip() for name in record], line)
                elif len(record) != len(header):
                    raise InputError(
                        f"{path}, line {line}: {len(record)} fields, but the header has {len(header)}"
                    )
                else:
                    rows.append(record)
                    lines.append(line)
                line = reader.line_num + 1
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file in UTF-8") from None
    except csv.Error as error:
        raise InputError(f"{path}, line {line}: not valid CSV ({error})") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    if header is None:
        raise InputError(f"{path}: the file is empty (expected a header line, then rows of data)")
    if not rows:
        raise InputError(f"{path}: a header but no rows of data")
    return Table(path=path, header=header, rows=rows, lines=lines)


def _header(path: str, cells: list[str], line: int) -> list[str]:
    for i, name in enumerate(cells):
        if name == "":
            raise InputError(f"{path}, line {line}: column {i + 1} of the header has no name")
    seen: set[str] = set()
    for name in cells:
        if name in seen:
            raise InputError(f"{path}, line {line}: the header names column {name!r} twice")
        seen.add(name)
    return cells


def write_table(path: str | None, header: Sequence[str], columns: Sequence[Sequence[object]]) -> None:
    """Write columns of values as CSV, to ``path`` or (None) to standard output."""
    rows = zip(*columns)
    if path is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return
    try:
        with open(path, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
