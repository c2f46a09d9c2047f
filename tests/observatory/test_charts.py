"""The pyramid's axis: round, equal steps from zero that just reach the largest group."""

from sabt.observatory.charts import symmetric_ticks


def test_ticks_are_round_equal_steps_that_just_reach_the_peak() -> None:
    for peak in [*range(0, 1_000), 1_234, 9_999, 10_000, 123_456, 4_000_000]:
        ticks = symmetric_ticks(peak)
        step = ticks[1]
        assert ticks == list(range(0, ticks[-1] + 1, step)), peak
        assert 1 <= len(ticks) - 1 <= 3, peak
        assert ticks[-1] >= peak and ticks[-1] - step < max(peak, 1), peak
        assert int(str(step).rstrip("0")) in (1, 2, 5), peak
