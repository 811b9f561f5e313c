"""The report renderers, one module per output format, each with `render(report, **options) -> str`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pymigrate.analyze import AnalysisReport


class Render(Protocol):
    def __call__(self, report: AnalysisReport, **options: Any) -> str: ...


def renderer(fmt: str) -> Render:
    """The `render` function of the format named `fmt` (json, markdown, sarif, html, terminal).

    Imported on demand, by name in the code so that the import graph shows every renderer.
    """
    if fmt == "json":
        from pymigrate.analyze.reports import json as module
    elif fmt == "markdown":
        from pymigrate.analyze.reports import markdown as module  # type: ignore[no-redef]
    elif fmt == "sarif":
        from pymigrate.analyze.reports import sarif as module  # type: ignore[no-redef]
    elif fmt == "html":
        from pymigrate.analyze.reports import html as module  # type: ignore[no-redef]
    elif fmt == "terminal":
        from pymigrate.analyze.reports import terminal as module  # type: ignore[no-redef]
    else:
        raise ValueError(f"no report format {fmt!r}")
    render: Render = module.render
    return render
