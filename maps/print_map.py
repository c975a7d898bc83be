"""Print maps for the plan document: A4/A3 landscape sheets as vector PDF and 300 dpi PNG.

A sheet is a map frame beside a side panel: the title block (title, subtitle, the figures
of the theme) and the legend sit in the panel, never on the map; the map frame carries the
scale bar (matplotlib-scalebar) and a north arrow; the bottom margin names the coordinate
system, the data sources and the date. Layers are drawn with GeoPandas on matplotlib in
the scenario's projected CRS (metres), so the scale bar is true.

Chinese text is set in the first CJK font the machine has (:data:`CJK_FONT_FAMILIES`) and
embedded in the PDF as a TrueType subset (``pdf.fonttype = 42``), so the PDF prints the
same on a machine without the font.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import shapely

matplotlib.use("agg")  # no screen: sheets are only written to files

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager, patheffects  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, PathPatch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib_scalebar.scalebar import ScaleBar  # noqa: E402

from layers.errors import GeoplanError  # noqa: E402

# WenQuanYi and other CJK fonts have no bold face: the regular one is used, without a warning per text
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

#: Landscape paper sizes, millimetres (width, height): ISO 216.
PAPER_MM: dict[str, tuple[float, float]] = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
#: Raster sheets are written at this resolution, dots per inch (print quality).
PNG_DPI = 300
#: CJK fonts in order of preference (Windows, macOS, Linux); the first one installed is used.
CJK_FONT_FAMILIES = ("Microsoft YaHei", "SimHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
                     "WenQuanYi Micro Hei")
MM_PER_INCH = 25.4
PT_PER_MM = 72.0 / MM_PER_INCH
#: Sheet layout, millimetres: outer margin, side panel width by paper, bottom margin strip.
MARGIN_MM = 10.0
SIDE_PANEL_MM = {"A4": 78.0, "A3": 100.0}
BOTTOM_STRIP_MM = 14.0
#: Font sizes, points, by paper (A3 is read from further away).
FONT_PT = {"A4": {"title": 13, "text": 7.5, "legend": 7, "label": 6.5, "margin": 6},
           "A3": {"title": 17, "text": 9.5, "legend": 9, "label": 8.5, "margin": 7.5}}


def cjk_font() -> str:
    """The CJK font family the sheets are set in.

    Raises
    ------
    GeoplanError
        No font with Chinese glyphs is installed.
    """
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FONT_FAMILIES:
        if family in installed:
            return family
    raise GeoplanError("no Chinese font for the print maps — install one of "
                       f"{', '.join(CJK_FONT_FAMILIES)} (Debian: apt install fonts-wqy-microhei)")


@dataclass(frozen=True)
class PrintSheet:
    """What a printed sheet says around its map.

    Attributes
    ----------
    title : str
        Sheet title (e.g. ``"东海湾示范县 — 生活垃圾收运"``).
    subtitle : str
        One line under the title (the state shown: existing, the plan, a year).
    crs_note : str
        The coordinate system in words, e.g. ``"CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549)"``.
    sources : tuple of str
        Data sources, one per item (road network, layers, standards).
    date : str
        Date of the edition, ``YYYY-MM-DD``.
    figures : tuple of str
        Lines of the theme's figures for the side panel (indicators against targets).
    paper : {"A4", "A3"}
    """

    title: str
    subtitle: str
    crs_note: str
    sources: tuple[str, ...]
    date: str
    figures: tuple[str, ...] = ()
    paper: str = "A4"

    def __post_init__(self) -> None:
        if self.paper not in PAPER_MM:
            raise GeoplanError(f"paper {self.paper!r}: choose one of {', '.join(PAPER_MM)}")


@dataclass
class PrintMap:
    """A sheet being drawn: add layers bottom to top, then :meth:`save`.

    Parameters
    ----------
    sheet : PrintSheet
    extent : GeoDataFrame
        The layer whose bounds the map frame shows (the districts), in a projected CRS in metres.
    """

    sheet: PrintSheet
    extent: gpd.GeoDataFrame
    figure: Figure = field(init=False)
    ax: plt.Axes = field(init=False)
    legend_items: list[tuple[object, str]] = field(init=False, default_factory=list)
    _finished: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        crs = self.extent.crs
        if crs is None or not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
            raise GeoplanError("a print map is drawn in a projected CRS in metres (the scenario's metric_crs)")
        # ps.fonttype too: matplotlib sizes the PDF's font subsets by it (256 glyphs under the default
        # 3), and each subset costs a parse of the whole CJK font
        plt.rcParams.update({"font.family": [cjk_font()], "pdf.fonttype": 42, "ps.fonttype": 42,
                             "axes.unicode_minus": False})
        w, h = PAPER_MM[self.sheet.paper]
        self.figure = plt.figure(figsize=(w / MM_PER_INCH, h / MM_PER_INCH))
        side = SIDE_PANEL_MM[self.sheet.paper]
        left, bottom = MARGIN_MM / w, (MARGIN_MM + BOTTOM_STRIP_MM) / h
        self.ax = self.figure.add_axes((left, bottom, (w - 3 * MARGIN_MM - side) / w,
                                        (h - 2 * MARGIN_MM - BOTTOM_STRIP_MM) / h))
        self._frame_extent()

    @property
    def crs(self):
        return self.extent.crs

    def _pt(self, role: str) -> float:
        return FONT_PT[self.sheet.paper][role]

    def _frame_extent(self) -> None:
        """Fit the frame to the extent (5 % padding) keeping 1:1 metres on both axes."""
        minx, miny, maxx, maxy = self.extent.total_bounds
        pad = 0.05 * max(maxx - minx, maxy - miny)
        minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
        box = self.ax.get_position()
        w, h = PAPER_MM[self.sheet.paper]
        frame_ratio = (box.width * w) / (box.height * h)
        cx, cy, dx, dy = (minx + maxx) / 2, (miny + maxy) / 2, maxx - minx, maxy - miny
        if dx / dy > frame_ratio:
            dy = dx / frame_ratio
        else:
            dx = dy * frame_ratio
        self.ax.set_xlim(cx - dx / 2, cx + dx / 2)
        self.ax.set_ylim(cy - dy / 2, cy + dy / 2)
        self.ax.set_aspect("equal", adjustable="box")
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        self.ax.set_xlabel("")
        self.ax.set_ylabel("")

    def _frame(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return gdf.to_crs(self.crs) if gdf.crs != self.crs else gdf

    def add_basemap(self, pixels, extent: tuple[float, float, float, float]) -> None:
        """A georeferenced image under everything: ``extent`` (left, right, bottom, top) in the frame's CRS."""
        self.ax.imshow(pixels, extent=extent, zorder=0, interpolation="bilinear", origin="upper")
        self._frame_extent()  # imshow fits the axes to the image: the frame stays on the districts

    def add_areas(self, gdf: gpd.GeoDataFrame, label: str | None, *, facecolor: str | Sequence = "none",
                  edgecolor: str = "#37474f", linewidth: float = 0.8, alpha: float = 1.0,
                  linestyle: str = "-", zorder: int = 1) -> None:
        """Polygons; ``facecolor`` one colour or one per row; ``label`` adds a legend patch."""
        if gdf is None or not len(gdf):
            return
        self._frame(gdf).plot(ax=self.ax, facecolor=facecolor, edgecolor=edgecolor, linewidth=linewidth,
                              alpha=alpha, linestyle=linestyle, zorder=zorder)
        if label:
            face = facecolor if isinstance(facecolor, str) else "#bdbdbd"
            self.legend_items.append((Patch(facecolor=face, edgecolor=edgecolor, alpha=alpha, linestyle=linestyle),
                                      label))

    def add_classes(self, heading: str, labels_colours: Sequence[tuple[str, str]]) -> None:
        """Legend patches of a choropleth's classes (label, colour), highest first, under ``heading``."""
        self.legend_items.append((Patch(visible=False), heading))
        for label, colour in labels_colours:
            self.legend_items.append((Patch(facecolor=colour, edgecolor="#757575"), label))

    def add_lines(self, gdf: gpd.GeoDataFrame, label: str | None, *, color: str | Sequence = "#9e9e9e",
                  linewidth: float = 0.6, alpha: float = 1.0, zorder: int = 2) -> None:
        """Lines (roads, routes); ``label`` adds a legend line."""
        if gdf is None or not len(gdf):
            return
        if isinstance(color, str):
            # one compound path: a road class of thousands of segments is one object in the PDF, not thousands
            self.ax.add_patch(PathPatch(_lines_path(self._frame(gdf).geometry), fill=False, edgecolor=color,
                                        linewidth=linewidth, alpha=alpha, zorder=zorder, capstyle="round",
                                        joinstyle="round"))
        else:
            self._frame(gdf).plot(ax=self.ax, color=color, linewidth=linewidth, alpha=alpha, zorder=zorder)
        if label:
            self.legend_items.append((Line2D([], [], color=color if isinstance(color, str) else "#616161",
                                             linewidth=max(linewidth, 1.0), alpha=alpha), label))

    def add_points(self, gdf: gpd.GeoDataFrame, label: str | None, *, color: str, marker: str = "o",
                   size: float = 6.0, facecolor: str | None = None, edgecolor: str = "white",
                   linewidth: float = 0.4, zorder: int = 4) -> None:
        """Points as one marker style (``size`` in points²); ``facecolor`` ``"white"`` for a hollow (planned) symbol."""
        if gdf is None or not len(gdf):
            return
        geom = self._frame(gdf).geometry.representative_point()
        face = color if facecolor is None else facecolor
        edge = edgecolor if facecolor is None else color
        self.ax.scatter(geom.x, geom.y, s=size, marker=marker, c=face, edgecolors=edge, linewidths=linewidth,
                        zorder=zorder)
        if label:
            self.legend_items.append((Line2D([], [], linestyle="none", marker=marker, markersize=max(size, 9) ** 0.5 + 2,
                                             markerfacecolor=face, markeredgecolor=edge, markeredgewidth=linewidth + 0.4),
                                      label))

    def label_areas(self, gdf: gpd.GeoDataFrame, column: str = "name", extra: Sequence[str] | None = None) -> None:
        """Write each polygon's ``column`` (and a second line from ``extra``) at its inside point."""
        if gdf is None or not len(gdf):
            return
        halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
        points = self._frame(gdf).geometry.representative_point()
        for i, (name, pt) in enumerate(zip(gdf[column].astype(str), points)):
            text = name if extra is None else f"{name}\n{extra[i]}"
            self.ax.annotate(text, (pt.x, pt.y), ha="center", va="center", fontsize=self._pt("label"),
                             color="#212121", path_effects=halo, zorder=9)

    def _north_arrow(self) -> None:
        """A north arrow in the frame's top-left corner (grid north of the projected CRS)."""
        self.ax.annotate("", xy=(0.045, 0.955), xytext=(0.045, 0.875), xycoords="axes fraction",
                         arrowprops=dict(facecolor="#212121", edgecolor="#212121", width=2.5, headwidth=9,
                                         headlength=10), zorder=10)
        self.ax.annotate("N", xy=(0.045, 0.962), xycoords="axes fraction", ha="center", va="bottom",
                         fontsize=self._pt("text") + 2, zorder=10)

    def _side_panel(self) -> None:
        """Title block, figures and legend in the panel right of the frame."""
        w, h = PAPER_MM[self.sheet.paper]
        side = SIDE_PANEL_MM[self.sheet.paper]
        x0 = (w - MARGIN_MM - side) / w
        panel = self.figure.add_axes((x0, (MARGIN_MM + BOTTOM_STRIP_MM) / h, side / w,
                                      (h - 2 * MARGIN_MM - BOTTOM_STRIP_MM) / h))
        panel.set_axis_off()
        chars = int(side * PT_PER_MM / (self._pt("title") * 0.75))  # between a CJK character (1 em) and Latin
        title = "\n".join(_wrap(self.sheet.title, chars))
        panel.text(0.0, 1.0, title, fontsize=self._pt("title"), va="top", ha="left")
        lines = len(title.splitlines())
        y = 1.0 - 0.012 * lines * self._pt("title") / 4.5
        text_chars = int(side * PT_PER_MM / (self._pt("text") * 0.75))
        subtitle = _wrap(self.sheet.subtitle, text_chars)
        panel.text(0.0, y, "\n".join(subtitle), fontsize=self._pt("text"), va="top", color="#424242")
        y -= 0.03 + 0.024 * len(subtitle) * self._pt("text") / 7.5
        for line in self.sheet.figures:
            wrapped = _wrap(line, text_chars)
            panel.text(0.0, y, "\n".join(wrapped), fontsize=self._pt("text"), va="top")
            y -= 0.024 * len(wrapped) * self._pt("text") / 7.5
        if self.legend_items:
            handles, labels = zip(*self.legend_items)
            panel.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, y - 0.01), frameon=True,
                         fontsize=self._pt("legend"), title="图例 / legend", title_fontsize=self._pt("legend") + 1,
                         alignment="left", borderaxespad=0.0, edgecolor="#9e9e9e")

    def _bottom_strip(self) -> None:
        """Coordinate system, data sources and date in the bottom margin."""
        w, h = PAPER_MM[self.sheet.paper]
        chars = int((w - 2 * MARGIN_MM) * PT_PER_MM / (self._pt("margin") * 0.6))
        text = (f"坐标系 / coordinate system: {self.sheet.crs_note}    编制日期 / date: {self.sheet.date}\n"
                + "\n".join(_wrap("数据来源 / sources: " + "；".join(self.sheet.sources), chars)[:2]))
        self.figure.text(MARGIN_MM / w, (MARGIN_MM + BOTTOM_STRIP_MM - 3.0) / h, text, fontsize=self._pt("margin"),
                         va="top", ha="left", color="#424242")

    def finish(self) -> Figure:
        """Add the scale bar, north arrow, side panel and margin (once); returns the figure."""
        if not self._finished:
            self.ax.set_xlabel("")  # GeoPandas labels the axes with the CRS's: the margin names the CRS
            self.ax.set_ylabel("")
            self.ax.add_artist(ScaleBar(1.0, "m", location="lower left", box_alpha=0.85, length_fraction=0.22,
                                        font_properties={"size": self._pt("text")}))
            self._north_arrow()
            self._side_panel()
            self._bottom_strip()
            self._finished = True
        return self.figure

    def save(self, path: str | Path, fmt: str) -> None:
        """Write the sheet as vector ``"pdf"`` or 300 dpi ``"png"``.

        The PDF carries no creation time, so the same sheet gives the same bytes.
        """
        fig = self.finish()
        if fmt == "pdf":
            fig.savefig(path, format="pdf", dpi=PNG_DPI, metadata={"CreationDate": None, "Creator": "geoplan"})
        elif fmt == "png":
            fig.savefig(path, format="png", dpi=PNG_DPI, metadata={"Software": "geoplan"})
        else:
            raise GeoplanError(f"print format {fmt!r}: choose pdf or png")

    def close(self) -> None:
        """Free the figure's memory."""
        plt.close(self.figure)


def _lines_path(geometry: gpd.GeoSeries) -> MplPath:
    """Every line of ``geometry`` (lines and multi-lines) as one matplotlib path of separate strokes."""
    parts = shapely.get_parts(geometry.values)
    parts = parts[~shapely.is_empty(parts)]
    coords, index = shapely.get_coordinates(parts, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1] if len(coords) else np.array([], dtype=int)
    codes[starts] = MplPath.MOVETO
    return MplPath(coords, codes)


def _wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of about ``width`` characters, at spaces where there are any
    (Chinese text has none between words and may break anywhere)."""
    width = max(width, 8)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            while len(word) > width:
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:width])
                word = word[width:]
            if len(line) + len(word) + 1 > width and line:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines
