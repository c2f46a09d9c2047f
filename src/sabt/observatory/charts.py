"""The dashboard's charts as Plotly figures (JSON for the page's script to draw)."""

from typing import Any

import plotly.graph_objects as go

from sabt.persian.jalali import MONTHS_FA

_FONT = {"family": "ObservatoryNaskh, Noto Naskh Arabic, Tahoma, sans-serif", "size": 14}
_LAYOUT: dict[str, Any] = {
    "font": _FONT, "margin": {"l": 50, "r": 20, "t": 50, "b": 50}, "height": 380,
    "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "legend": {"orientation": "h"},
}  # fmt: skip


def _json(fig: go.Figure) -> dict[str, Any]:
    out: dict[str, Any] = fig.to_plotly_json()
    return out


def pyramid(title: str, pyramid: dict[str, Any]) -> dict[str, Any]:
    """Men to the left (negative), women to the right, youngest at the bottom."""
    groups = pyramid["groups"]
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
            "title": {"text": title},
            "barmode": "relative",
            "bargap": 0.05,
            "xaxis": {"title": {"text": "نفر"}},
            "yaxis": {"title": {"text": "گروه سنی"}},
        },
    )
    return _json(fig)


def months(title: str, births: list[Any], deaths: list[Any]) -> dict[str, Any]:
    """Births and deaths in each Jalali month (a held-back month is a gap)."""
    fig = go.Figure(
        [
            go.Bar(x=list(MONTHS_FA), y=births, name="ولادت", marker_color="#15803d"),
            go.Bar(x=list(MONTHS_FA), y=deaths, name="فوت", marker_color="#6b7280"),
        ],
        layout={**_LAYOUT, "title": {"text": title}, "barmode": "group"},
    )
    return _json(fig)


def tfr(title: str, lines: dict[str, list[tuple[int, Any]]],
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
    layout = {
        **_LAYOUT,
        "title": {"text": title},
        "xaxis": {"dtick": 1},
        "yaxis": {"title": {"text": "فرزند به ازای هر زن"}, "rangemode": "tozero"},
    }
    return _json(go.Figure(traces, layout=layout))
