"""PNG plots for the standard questions (specs/sweeps.md "Plots"), matplotlib Agg backend.

- `nakamoto_vs_alpha.png`: the Nakamoto coefficient of validator rewards at the last
  snapshot against alpha, one line per K (mean over seeds, min-max band).
- `reward_vs_stake.png`: each validator's reward share against its stake share at the
  last snapshot, one panel per (alpha, K) point (or per point), with y = x.
- `clearing_price_vs_window.png`: auction clearing price (as a share of the ceiling) and
  time to fill against the auction window.

Each plot is drawn only when the sweep varies what it needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import matplotlib

matplotlib.use("Agg")  # no display: files only, the same on every machine

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

ALPHA: Final = "pouw.alpha"
K: Final = "pouw.k"
WINDOW: Final = "compute_market.auction_window_blocks"
DPI: Final = 80


def last_snapshots(frame: Any) -> Any:
    """The rows of each run's last snapshot."""
    last = frame.groupby("run_id")["snapshot"].transform("max")
    return frame[frame["snapshot"] == last]


def _numeric(frame: Any, column: str) -> Any:
    out = frame.copy()
    out[column] = pd.to_numeric(out[column])
    return out


def plot_nakamoto_vs_alpha(table: Any, path: Path, title: str = "") -> Path:
    """Nakamoto coefficient of rewards vs alpha, one line per K (mean, min-max band)."""
    final = _numeric(last_snapshots(table), ALPHA)
    has_k = K in final.columns
    if has_k:
        final = _numeric(final, K)
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    groups = sorted(final[K].unique()) if has_k else [None]
    for k in groups:
        part = final if k is None else final[final[K] == k]
        stats = part.groupby(ALPHA)["nakamoto_rewards"].agg(["mean", "min", "max"]).sort_index()
        label = "" if k is None else f"K = {k:g}"
        (line,) = ax.plot(stats.index, stats["mean"], marker="o", label=label)
        ax.fill_between(stats.index, stats["min"], stats["max"], alpha=0.15, color=line.get_color())
    stake = final["nakamoto_stake"].median()
    ax.axhline(
        stake, color="grey", linestyle="--", linewidth=1, label=f"by stake alone ({stake:g})"
    )
    ax.set_xlabel("alpha (pouw.alpha)")
    ax.set_ylabel("Nakamoto coefficient of rewards\n(fewest validators with > 1/3)")
    ax.set_title(title or "Reward concentration vs alpha and K")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def plot_reward_vs_stake(validators: Any, swept: Sequence[str], path: Path) -> Path:
    """Reward share vs stake share per validator at the last snapshot, one panel per
    (alpha, K) when both are swept, else per point (at most 16 panels)."""
    final = last_snapshots(validators)
    if ALPHA in swept and K in swept:
        final = _numeric(_numeric(final, ALPHA), K)
        keys = [ALPHA, K]
    else:
        keys = ["point_index"]
    panels = sorted(final.groupby(keys).groups)[:16]
    cols = min(4, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols, 2.2 * rows), squeeze=False)
    top = max(final["stake_share"].max(), final["reward_share"].max()) * 1.1
    for ax, panel in zip(axes.flat, panels, strict=False):
        key = panel if isinstance(panel, tuple) else (panel,)
        mask = pd.Series(True, index=final.index)
        for column, value in zip(keys, key, strict=True):
            mask &= final[column] == value
        part = final[mask]
        others, target = part[~part["target"]], part[part["target"]]
        ax.scatter(others["stake_share"], others["reward_share"], s=8, alpha=0.6)
        ax.scatter(target["stake_share"], target["reward_share"], s=14, color="crimson")
        ax.plot([0, top], [0, top], color="grey", linewidth=0.8)
        label = ", ".join(f"{c.split('.')[-1]}={v:g}" for c, v in zip(keys, key, strict=True))
        ax.set_title(label, fontsize=8)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.supxlabel("stake share", fontsize=9)
    fig.supylabel("reward share (red: concentration target)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def plot_clearing_price_vs_window(table: Any, path: Path) -> Path:
    """Clearing price / ceiling and time to fill vs the auction window (mean over runs)."""
    final = _numeric(last_snapshots(table), WINDOW)
    stats = final.groupby(WINDOW)[["clearing_price_ratio_mean", "time_to_fill_mean_blocks"]]
    means = stats.mean().sort_index()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.plot(means.index, means["clearing_price_ratio_mean"], marker="o", label="price / ceiling")
    ax.set_xlabel("auction window (blocks)")
    ax.set_ylabel("clearing price / ceiling")
    twin = ax.twinx()
    twin.plot(means.index, means["time_to_fill_mean_blocks"], marker="s", color="darkorange")
    twin.set_ylabel("time to fill (blocks)", color="darkorange")
    ax.set_title("Auction: clearing price and time to fill vs window")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def standard_plots(out: Path, table: Any, validators: Any, swept: Sequence[str]) -> list[Path]:
    """Every standard plot the sweep's params allow, written under out/plots/."""
    directory = out / "plots"
    directory.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    if table.empty:
        return made
    if ALPHA in swept:
        made.append(plot_nakamoto_vs_alpha(table, directory / "nakamoto_vs_alpha.png"))
    made.append(plot_reward_vs_stake(validators, swept, directory / "reward_vs_stake.png"))
    if WINDOW in swept:
        made.append(
            plot_clearing_price_vs_window(table, directory / "clearing_price_vs_window.png")
        )
    return made


__all__ = [
    "last_snapshots",
    "plot_clearing_price_vs_window",
    "plot_nakamoto_vs_alpha",
    "plot_reward_vs_stake",
    "standard_plots",
]
