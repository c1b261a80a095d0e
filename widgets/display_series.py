"""The browser's copy of a long streamed curve: every point up to a few thousand, then the lowest and the
highest point of each bucket of consecutive points, so the drawn curve keeps its shape at any length.

Buckets cover `size` consecutive points (size doubles, pairs of buckets merging, whenever there would be
more than BUCKETS of them), so appending costs the same at step 10 and at step 100,000. A point whose y is
None (a diverged loss) is kept as well: it is the gap plotly draws.
"""
from __future__ import annotations

# About one bucket per pixel column of a wide plot: exact up to 2,048 points (a bucket of two shows both),
# beyond that at most about 2,048 drawn points per curve, whose redraw a slow laptop still manages at 10 Hz.
BUCKETS = 1024


class Bucket:
    """The points of a bucket worth drawing: its lowest, its highest and its first gap, as (index, x, y)."""

    __slots__ = ("low", "high", "gap")

    def __init__(self, low=None, high=None, gap=None):
        self.low, self.high, self.gap = low, high, gap

    @classmethod
    def of(cls, point):
        return cls(gap=point) if point[2] is None else cls(point, point)

    def merged(self, later: "Bucket") -> "Bucket":
        """The bucket covering this one and the `later` one next to it (ties keep the earlier point)."""
        low = later.low if self.low is None or (later.low is not None and later.low[2] < self.low[2]) else self.low
        high = later.high if self.high is None or (later.high is not None and later.high[2] > self.high[2]) \
            else self.high
        return Bucket(low, high, self.gap or later.gap)

    def points(self):
        """The bucket's drawn points in the curve's order, each once."""
        picks = {p[0]: p for p in (self.low, self.high, self.gap) if p is not None}
        return [picks[i] for i in sorted(picks)]


class DisplaySeries:
    """What the browser draws of one x/y trace, and what changed since the browser was last told."""

    def __init__(self, buckets: int = BUCKETS):
        self.buckets, self.size, self.count = buckets, 1, 0
        self.closed, self.open, self.open_count = [], None, 0
        self.replaced = True  # the browser's copy must be replaced, not extended
        self.sent_closed = self.sent_points = 0  # closed buckets (and their points) the browser has

    def extend(self, xs, ys):
        """Take new points (x, y pairs of equal count)."""
        for x, y in zip(xs, ys):
            point = Bucket.of((self.count, x, y))
            self.count += 1
            self.open = point if self.open is None else self.open.merged(point)
            self.open_count += 1
            if self.open_count == self.size:
                self.closed.append(self.open)
                self.open, self.open_count = None, 0
                if len(self.closed) > self.buckets:
                    self._coarsen()

    def _coarsen(self):
        """Double the bucket size: neighbours merge; an odd last bucket joins the open one."""
        pairs = [self.closed[i].merged(self.closed[i + 1]) for i in range(0, len(self.closed) - 1, 2)]
        if len(self.closed) % 2:
            last = self.closed[-1]
            self.open = last if self.open is None else last.merged(self.open)
            self.open_count += self.size
        self.closed, self.size, self.replaced = pairs, self.size * 2, True

    def points(self):
        """Every drawn point: x list, y list."""
        picks = [p for b in self.closed + ([self.open] if self.open else []) for p in b.points()]
        return [p[1] for p in picks], [p[2] for p in picks]

    def mark_sent(self):
        """The browser now has every point (a full state was sent)."""
        self.replaced = False
        self.sent_closed = len(self.closed)
        self.sent_points = sum(len(b.points()) for b in self.closed)

    def take(self):
        """(keep, xs, ys): the browser keeps its first `keep` points and appends these (its provisional
        points of the open bucket are redrawn each time)."""
        if self.replaced:
            self.replaced, self.sent_closed, self.sent_points = False, 0, 0
        keep = self.sent_points
        fresh = [p for b in self.closed[self.sent_closed:] for p in b.points()]
        self.sent_closed, self.sent_points = len(self.closed), keep + len(fresh)
        if self.open is not None:
            fresh += self.open.points()
        return keep, [p[1] for p in fresh], [p[2] for p in fresh]
