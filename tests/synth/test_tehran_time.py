"""The synthetic register's civil times in UTC, many at once (`records.TehranTime`): each
is zoneinfo's, over a century of Tehran's clock changes (LMT until 1946, summer time on
and off until 2022)."""

from datetime import UTC, date, datetime, time

import numpy as np

from sabt.kit.clock import TEHRAN
from sabt.synth.records import TehranTime

FIRST, LAST = date(1920, 1, 1).toordinal(), date(2030, 12, 31).toordinal()


def _zoneinfo(day: int, minute: int) -> np.datetime64:
    local = datetime.combine(date.fromordinal(day), time(minute // 60, minute % 60), TEHRAN)
    return np.datetime64(local.astimezone(UTC).replace(tzinfo=None), "s")


def test_every_civil_time_is_zoneinfos() -> None:
    clock = TehranTime(FIRST, LAST)
    changed = np.flatnonzero(clock.start != clock.end) + FIRST
    assert len(changed) > 30  # 1946, then each spring summer time began (at midnight)
    ended = np.flatnonzero(np.diff(clock.end) < 0) + FIRST  # the last hour came twice
    assert len(ended) > 30
    changed = np.r_[changed, ended]
    days = np.arange(FIRST, LAST + 1)
    minutes = np.array([0, 1, 29, 30, 59, 60, 61, 89, 90, 119, 120, 720, 1380, 1439])
    day = np.repeat(days, len(minutes))
    minute = np.tile(minutes, len(days))
    every = np.arange(1440)  # and every minute of the days the clocks changed
    day = np.r_[day, np.repeat(changed, len(every))]
    minute = np.r_[minute, np.tile(every, len(changed))]
    got = clock.utc(day, minute)
    sample = np.r_[
        np.arange(0, len(days) * len(minutes), 97), np.arange(len(days) * len(minutes), len(day))
    ]
    expected = [_zoneinfo(int(d), int(m)) for d, m in zip(day[sample], minute[sample], strict=True)]
    assert got[sample].tolist() == expected
    lmt = clock.utc(np.array([date(1930, 5, 1).toordinal()]), np.array([0]))
    assert str(lmt[0]) == "1930-04-30T20:34:16"  # +3:25:44, Tehran's mean time
