"""results.png: every implementation's time relative to C, per kernel (log scale), from results.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def draw(doc: dict[str, Any], path: Path) -> str | None:
    """Draw the ratio chart; None when written, else why not (matplotlib missing, nothing to show)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install -e '.[bench]')"
    kernels = [k for k in doc["ratios"] if doc["ratios"][k]]
    impls = [i for i in doc["settings"]["implementations"] if i != "c"]
    if not kernels or "c" not in doc["settings"]["implementations"]:
        return "no kernel has a C time to compare with"
    labels = {i: doc["implementations"][i]["label"] for i in impls}
    fig, ax = plt.subplots(figsize=(max(8.0, 1.3 * len(kernels)), 4.8))
    width = 0.8 / max(1, len(impls))
    for index, impl in enumerate(impls):
        xs, ys = [], []
        for pos, kernel in enumerate(kernels):
            ratio = doc["ratios"][kernel].get(impl, {}).get("slower_than_c")
            if ratio is not None:
                xs.append(pos + (index - (len(impls) - 1) / 2) * width)
                ys.append(ratio)
        ax.bar(xs, ys, width=width, label=labels[impl])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(kernels)))
    ax.set_xticklabels(kernels, rotation=20)
    ax.set_ylabel("time / C time (log; 1 = C speed, lower is better)")
    ax.set_title("Kernels relative to C -O3 (missing bar = n/a)")
    ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
