"""The figure style: one matplotlib style, the Agg backend, atomic saving.

Figures are made by plotting rules that read metrics files only, so restyling reruns nothing but
the plots. The colour cycle is Okabe-Ito (readable by colour-blind readers).
"""

from __future__ import annotations

from pathlib import Path

STYLE_PATH = Path(__file__).resolve().parent / "vigilance.mplstyle"


def use_style(dpi: int | None = None):
    """Select the Agg backend and the workflow's style; return ``matplotlib.pyplot``.

    Args:
        dpi: Resolution of saved figures (``figures.dpi`` in config); the style's default if None.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.style.use(str(STYLE_PATH))
    if dpi is not None:
        matplotlib.rcParams["savefig.dpi"] = dpi
    return plt


def save_figure(fig, path: str | Path) -> None:
    """Save ``fig`` atomically (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    from vigilance.core.io import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png")
    plt.close(fig)
