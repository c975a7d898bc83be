"""A planner's own basemap for the print maps: a georeferenced image (an export of the bureau's
imagery or topographic map from ArcGIS / QGIS), read without GDAL.

The image is placed by its world file (``.pgw``/``.jgw``/``.tfw``/``.wld`` beside it: pixel
size, rotation, pixel size, rotation, x and y of the top-left pixel's centre) or, for a
GeoTIFF, by its ModelPixelScale and ModelTiepoint tags. It must be in the scenario's metric
CRS (the exports offer it), north up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from layers.errors import GeoplanError
from layers.files import readable_file

#: World-file suffixes by image suffix (the ESRI convention, then the long and the generic forms).
WORLD_FILE_SUFFIXES = {".png": (".pgw", ".pngw", ".wld"), ".jpg": (".jgw", ".jpgw", ".wld"),
                       ".jpeg": (".jgw", ".jpegw", ".wld"), ".tif": (".tfw", ".tifw", ".wld"),
                       ".tiff": (".tfw", ".tiffw", ".wld")}
#: GeoTIFF tags (GeoTIFF 1.1, OGC 19-008r4): pixel scale and tie point.
MODEL_PIXEL_SCALE_TAG, MODEL_TIEPOINT_TAG = 33550, 33922
#: Images above this many pixels are refused: the sheets print at 300 dpi, A3 is 17 million pixels.
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class GeoreferencedImage:
    """An image and where it lies.

    Attributes
    ----------
    pixels : ndarray
        Rows × columns × bands (RGB or RGBA), uint8.
    extent : tuple of float
        ``(left, right, bottom, top)`` of the image's outer edges, metres in the scenario's CRS.
    """

    pixels: np.ndarray
    extent: tuple[float, float, float, float]


def _world_file(path: Path) -> Path | None:
    for suffix in WORLD_FILE_SUFFIXES.get(path.suffix.lower(), ()):
        for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
            if candidate.is_file():
                return candidate
    return None


def _from_world_file(world: Path, width: int, height: int) -> tuple[float, float, float, float]:
    try:
        a, d, b, e, c, f = (float(line) for line in world.read_text(encoding="ascii").split())
    except (ValueError, UnicodeDecodeError):
        raise GeoplanError(f"{world}: 世界文件格式错误 / is not a world file — six numbers, one per line: pixel width, "
                           "rotation, rotation, pixel height (negative), x and y of the top-left pixel") from None
    if d or b:
        raise GeoplanError(f"{world}: the image is rotated — export it north up (no rotation terms)")
    if a <= 0 or e >= 0:
        raise GeoplanError(f"{world}: pixel width must be > 0 and pixel height < 0 (north up), got {a:g} and {e:g}")
    left, top = c - a / 2, f - e / 2  # the world file names the top-left pixel's centre
    return left, left + a * width, top + e * height, top


def _from_geotiff_tags(image) -> tuple[float, float, float, float] | None:
    tags = getattr(image, "tag_v2", None)
    if not tags or MODEL_PIXEL_SCALE_TAG not in tags or MODEL_TIEPOINT_TAG not in tags:
        return None
    sx, sy = float(tags[MODEL_PIXEL_SCALE_TAG][0]), float(tags[MODEL_PIXEL_SCALE_TAG][1])
    i, j, _, x, y, _ = (float(v) for v in tags[MODEL_TIEPOINT_TAG][:6])
    left, top = x - i * sx, y + j * sy  # tie point: raster (i, j) at model (x, y), pixel corners (PixelIsArea)
    w, h = image.size
    return left, left + sx * w, top - sy * h, top


def read_georeferenced_image(path: str | Path) -> GeoreferencedImage:
    """Read a PNG, JPEG or TIFF and where it lies, from its world file or GeoTIFF tags.

    Raises
    ------
    GeoplanError
        The file cannot be read as an image, has no world file (and no GeoTIFF tags), is
        rotated, or is too large; the message names the file and the fix.
    """
    from PIL import Image, UnidentifiedImageError

    path = readable_file(path, fix="give --basemap a PNG, JPEG or TIFF exported with its world file")
    if path.suffix.lower() not in WORLD_FILE_SUFFIXES:
        raise GeoplanError(f"{path}: basemap must be a .png, .jpg or .tif image with its world file")
    try:
        with Image.open(path) as image:
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise GeoplanError(f"{path}: {image.size[0]}×{image.size[1]} pixels is more than a sheet prints "
                                   f"({MAX_PIXELS:,}) — export it at a coarser resolution")
            world = _world_file(path)
            extent = (_from_world_file(world, *image.size) if world is not None
                      else _from_geotiff_tags(image))
            if extent is None:
                names = " or ".join(WORLD_FILE_SUFFIXES[path.suffix.lower()][:1] + (".wld",))
                raise GeoplanError(f"{path}: 缺少世界文件 / has no world file ({path.stem}{names}) — export the "
                                   "image with one (QGIS: Save as Image, \"world file\"; ArcGIS: Export Map, "
                                   "\"Write World File\")")
            pixels = np.asarray(image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise GeoplanError(f"{path}: 无法读取图像 / cannot be read as an image ({exc}) — export it again as PNG, "
                           "JPEG or TIFF") from None
    return GeoreferencedImage(pixels, extent)


def check_overlaps(image: GeoreferencedImage, bounds: tuple[float, float, float, float], path: Path,
                   crs_name: str) -> None:
    """Refuse a basemap that lies nowhere near ``bounds`` (minx, miny, maxx, maxy): a CRS mix-up."""
    left, right, bottom, top = image.extent
    minx, miny, maxx, maxy = bounds
    if right < minx or left > maxx or top < miny or bottom > maxy:
        raise GeoplanError(f"{path}: the basemap ({left:,.0f}–{right:,.0f} E, {bottom:,.0f}–{top:,.0f} N) does not "
                           f"overlap the districts — export it in the scenario's coordinate system {crs_name}")
