"""ffmpeg's segment list (``-segment_list pipe:1 -segment_list_type csv``): one line
``name,start,end`` (media seconds of the run) each time a segment is closed."""

from __future__ import annotations

import csv
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClosedSegment:
    name: str
    media_start_s: float
    media_end_s: float


def parse_line(line: str) -> ClosedSegment | None:
    """A closed segment, or None for a line that is not one (logged by the caller)."""
    line = line.strip()
    if not line:
        return None
    try:
        row = next(csv.reader([line]))
        name, start, end = row[0], float(row[1]), float(row[2])
    except (StopIteration, IndexError, ValueError):
        return None
    if "/" in name or name.startswith(".") or not name or end < start:
        return None
    return ClosedSegment(name=name, media_start_s=start, media_end_s=end)
