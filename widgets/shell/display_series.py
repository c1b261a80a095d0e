"""The browser's copy of a long streamed curve: every point up to a couple of thousand, then the lowest and
the highest point of each bucket of consecutive points, so the drawn curve keeps its shape at any length.

Buckets cover `size` consecutive points; whenever there would be more than BUCKETS of them, size doubles
and neighbours merge. The browser merges its own copy the same way when told to (plot.py's `halved`), so
neither appending nor coarsening sends more than the new points: an update costs the same at step 10 and
at step 100,000. A y of None (a diverged loss) counts as above every number for the lowest point and below
every number for the highest: a bucket with no finite point still shows as a gap.
"""
from __future__ import annotations

import math

# About one bucket per pixel column of a wide plot: exact up to 2,048 points (a bucket of two shows both),
# beyond that at most about 2,048 drawn points per curve, whose redraw a slow laptop still manages at 10 Hz.
BUCKETS = 1024


def _low_key(point):
    return math.inf if point[2] is None else point[2]


def _high_key(point):
    return -math.inf if point[2] is None else point[2]


class Bucket:
    """A bucket's first lowest and last highest point, as (index, x, y); `merged` buckets always draw two."""

    __slots__ = ("low", "high", "several")

    def __init__(self, low, high, several=False):
        self.low, self.high, self.several = low, high, several

    def merged(self, later: "Bucket") -> "Bucket":
        """The bucket covering this one and the `later` one next to it (plot.py's `halved` does the same)."""
        return Bucket(later.low if _low_key(later.low) < _low_key(self.low) else self.low,
                      later.high if _high_key(later.high) >= _high_key(self.high) else self.high, True)

    def points(self):
        """Its drawn points in the curve's order: one for a single point, else two (maybe one twice)."""
        if not self.several:
            return [self.low]
        return sorted((self.low, self.high))


class DisplaySeries:
    """What the browser draws of one x/y trace, and what changed since the browser was last told."""

    def __init__(self, buckets: int = BUCKETS):
        self.buckets, self.size, self.count = buckets, 1, 0
        self.closed, self.open, self.open_count = [], None, 0
        self.replaced = True  # the browser's copy must be replaced, not extended
        self.sent_closed = self.sent_points = 0  # closed buckets (and their points) the browser has
        self.halve = 0  # leading points the browser must merge four into two before the next update

    def extend(self, xs, ys):
        """Take new points (x, y pairs of equal count)."""
        for x, y in zip(xs, ys):
            point = (self.count, x, y)
            self.count += 1
            self.open = Bucket(point, point) if self.open is None else self.open.merged(Bucket(point, point))
            self.open_count += 1
            if self.open_count == self.size:
                self.closed.append(self.open)
                self.open, self.open_count = None, 0
                if len(self.closed) > self.buckets:
                    self._coarsen()

    def _coarsen(self):
        """Double the bucket size: neighbours merge; an odd last bucket joins the open one."""
        known = self.sent_closed // 2  # merged buckets the browser can make from the points it has
        if self.halve:
            self.replaced = True  # a second merge before the browser did the first: send it all
        elif self.size >= 2:  # (pairs of one-point buckets draw as the two points the browser has already)
            self.halve = 4 * known
        self.sent_closed, self.sent_points = known, 2 * known
        pairs = [self.closed[i].merged(self.closed[i + 1]) for i in range(0, len(self.closed) - 1, 2)]
        if len(self.closed) % 2:
            last = self.closed[-1]
            self.open = last if self.open is None else last.merged(self.open)
            self.open_count += self.size
        self.closed, self.size = pairs, self.size * 2

    def points(self):
        """Every drawn point: x list, y list."""
        picks = [p for b in self.closed + ([self.open] if self.open else []) for p in b.points()]
        return [p[1] for p in picks], [p[2] for p in picks]

    def mark_sent(self):
        """The browser now has every point (a whole figure was sent)."""
        self.replaced, self.halve = False, 0
        self.sent_closed = len(self.closed)
        self.sent_points = sum(len(b.points()) for b in self.closed)

    def take(self):
        """(halve, keep, xs, ys): the browser merges its first `halve` points four into two, keeps its first
        `keep` points and appends these (the open bucket's points are redrawn each time)."""
        if self.replaced:
            self.replaced, self.halve, self.sent_closed, self.sent_points = False, 0, 0, 0
        halve, keep = self.halve, self.sent_points
        fresh = [p for b in self.closed[self.sent_closed:] for p in b.points()]
        self.halve, self.sent_closed, self.sent_points = 0, len(self.closed), keep + len(fresh)
        if self.open is not None:
            fresh += self.open.points()
        return halve, keep, [p[1] for p in fresh], [p[2] for p in fresh]
