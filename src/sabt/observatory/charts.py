"""The dashboard's charts as Plotly figures (JSON for the page's script to draw).

One layout for every chart, made to hold from a phone's 360 px to a desktop: each chart's
title is the page's heading above it (HTML wraps it; Plotly's title cannot), the legend
sits above the plot, and every axis grows its margin to fit its tick labels and its title
(`automargin`), so no label is clipped or drawn over another.
"""

from math import floor, log10
from typing import Any

import plotly.graph_objects as go

from sabt.persian.jalali import MONTHS_FA

_FONT = {"family": "ObservatoryNaskh, Noto Naskh Arabic, Tahoma, sans-serif", "size": 14}
_LAYOUT: dict[str, Any] = {
    "font": _FONT, "margin": {"l": 8, "r": 8, "t": 36, "b": 8}, "height": 380,
    "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
    "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
}  # fmt: skip


def _axis(title: str | None = None, **settings: Any) -> dict[str, Any]:
    axis: dict[str, Any] = {"automargin": True, **settings}
    if title:
        axis["title"] = {"text": title, "standoff": 10}
    return axis


def _json(fig: go.Figure) -> dict[str, Any]:
    out: dict[str, Any] = fig.to_plotly_json()
    return out


def pyramid(pyramid: dict[str, Any]) -> dict[str, Any]:
    """Men to the left (drawn negative, labelled as counts), women to the right, youngest
    at the bottom; the axis is symmetric, so the middle is zero."""
    groups = pyramid["groups"]
    ticks = symmetric_ticks(max([*pyramid["male"], *pyramid["female"], 1]))
    end = ticks[-1] + ticks[1] / 2  # half a step beyond the last label: none at the very edge
    fig = go.Figure(
        [
            go.Bar(
                y=groups,
                x=[-n for n in pyramid["male"]],
                customdata=pyramid["male"],
                name="مرد",
                orientation="h",
                marker_color="#0b4f8a",
                hovertemplate="%{y}: %{customdata}<extra>مرد</extra>",
            ),
            go.Bar(
                y=groups,
                x=pyramid["female"],
                name="زن",
                orientation="h",
                marker_color="#c2410c",
                hovertemplate="%{y}: %{x}<extra>زن</extra>",
            ),
        ],
        layout={
            **_LAYOUT,
            "barmode": "relative",
            "bargap": 0.05,
            "xaxis": _axis(
                "نفر",
                range=[-end, end],
                tickvals=[-t for t in reversed(ticks[1:])] + ticks,
                ticktext=[f"{t:,}" for t in reversed(ticks[1:])] + [f"{t:,}" for t in ticks],
            ),
            "yaxis": _axis("گروه سنی"),
        },
    )
    return _json(fig)


def symmetric_ticks(peak: int) -> list[int]:
    """0 and one to three round steps (1, 2 or 5 × 10^k) up to at least `peak`."""
    peak = max(peak, 1)
    magnitude = 10 ** max(0, floor(log10(max(peak, 1) / 2)))  # whole people: steps ≥ 1
    step = next(s * magnitude for s in (1, 2, 5, 10) if peak / (s * magnitude) <= 3)
    last = -(-peak // step) * step
    return list(range(0, last + 1, step))


def months(births: list[Any], deaths: list[Any]) -> dict[str, Any]:
    """Births and deaths in each Jalali month (a held-back month is a gap), as bars across:
    the months' names then read level and fit a phone's width, where upright or slanted
    names under columns collide."""
    names = list(MONTHS_FA)
    fig = go.Figure(
        [
            go.Bar(y=names, x=births, name="ولادت", orientation="h", marker_color="#15803d"),
            go.Bar(y=names, x=deaths, name="فوت", orientation="h", marker_color="#6b7280"),
        ],
        layout={
            **_LAYOUT,
            "height": 480,
            "barmode": "group",
            "xaxis": _axis("نفر", rangemode="tozero"),
            "yaxis": _axis(autorange="reversed"),  # فروردین at the top
        },
    )
    return _json(fig)


def tfr(lines: dict[str, list[tuple[int, Any]]],
        published: list[tuple[int, float]]) -> dict[str, Any]:  # fmt: skip
    """TFR over the years from the register (one line per area), and the published TFR."""
    traces: list[Any] = [
        go.Scatter(x=[y for y, _ in points], y=[v for _, v in points], name=name,
                   mode="lines+markers")
        for name, points in lines.items()
    ]  # fmt: skip
    if published:
        traces.append(go.Scatter(x=[y for y, _ in published], y=[v for _, v in published],
                                 name="منتشرشده (ثبت احوال کشور)", mode="markers",
                                 marker={"symbol": "diamond", "size": 11}))  # fmt: skip
    years = [y for points in [*lines.values(), published] for y, _ in points]
    span = max(years) - min(years) if years else 0
    layout = {
        **_LAYOUT,
        # Whole years: every year when a few, else Plotly's round steps (1, 2, 5 years:
        # never a fraction once the span is 8 years or more) thinned to the chart's width.
        "xaxis": _axis(tickformat="d", dtick=1) if span < 8 else _axis(tickformat="d", nticks=8),
        "yaxis": _axis("فرزند به ازای هر زن", rangemode="tozero"),
    }
    return _json(go.Figure(traces, layout=layout))
