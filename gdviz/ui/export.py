"""Files out of the window: pictures (PNG at 1x/2x, SVG), animations (GIF, MP4) that replay the
recorded run, and the trajectory and sweep as CSV.

Every file is written atomically: into a temporary file in the target folder, renamed into place
only when complete. A failure (unwritable folder, full disk, cancel) removes the temporary file
and raises ExportError with one clear sentence; the window and its run are never touched.

Pictures render the widget itself (``QWidget.render``), so a view is exported as it looks, with
any labels over it; PNG at 2x renders into an image of twice the pixels with a device pixel ratio
of 2, so text and lines are drawn sharp rather than scaled up. SVG uses QSvgGenerator because
pyqtgraph's SVGExporter fails on Qt 6.11 path data (pyqtgraph issue #3485).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from gdviz.core.atomic import (
    WriteError,
    atomic_path,
    failure_reason,
    write_bytes_atomic,
    write_text_atomic,
)

MAX_FRAMES, MAX_FPS = 2000, 60
GIF_MAX_FPS = 50  # GIF delays are whole centiseconds, and viewers slow down delays under 2
VIDEO_HELP = ('MP4 needs ffmpeg: pip install "gdviz[video]", or install ffmpeg and put it on '
              "the PATH")  # fmt: skip


class ExportError(Exception):
    """An export failed; the message says why, and no partial file was left behind."""


class ExportCancelled(ExportError):
    """The user cancelled an export; no file was written."""


# -- atomic files -------------------------------------------------------------------------------
@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` when the block succeeds,
    remove it when the block fails (OSError becomes ExportError naming the cause)."""
    with _export_errors(path), atomic_path(path) as temp:
        yield temp


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (ExportError on failure)."""
    with _export_errors(path):
        write_bytes_atomic(path, data)


def write_text(path: str | Path, write: Callable) -> None:
    """Write a text file atomically through ``write(handle)`` (ExportError on failure)."""
    with _export_errors(path):
        write_text_atomic(path, write)


@contextmanager
def _export_errors(path: str | Path) -> Iterator[None]:
    """OSError becomes ExportError naming the path as the user gave it and the cause in words."""
    try:
        yield
    except OSError as exc:
        folder = Path(path).parent
        reason = exc.reason if isinstance(exc, WriteError) else failure_reason(exc, folder)
        raise ExportError(f"Could not write {os.fspath(path)}: {reason}.") from exc


# -- pictures -----------------------------------------------------------------------------------
@contextmanager
def drawn_afresh(widget) -> Iterator[None]:
    """The items the window draws from cached pixmaps (axes, the loss surface: see
    views/colors.style_axis) drawn afresh inside the block: as vectors in an SVG, at full
    resolution in a 2x PNG, never a screen-sized bitmap scaled."""
    views = [widget] if isinstance(widget, QGraphicsView) else widget.findChildren(QGraphicsView)
    scenes = {view.scene() for view in views if view.scene() is not None}
    if hasattr(widget, "scene") and not isinstance(widget, QGraphicsView):
        scenes.add(widget.scene())  # a pyqtgraph item
    cached = [(item, item.cacheMode()) for scene in scenes if scene is not None
              for item in scene.items()
              if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]  # fmt: skip
    for item, _ in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)


def render_image(widget, scale: float = 1) -> QImage:
    """The widget as it looks, at ``scale`` times its size in pixels (drawn, not enlarged)."""
    size = widget.size()
    image = QImage(round(size.width() * scale), round(size.height() * scale),
                   QImage.Format.Format_ARGB32_Premultiplied)  # fmt: skip
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    if scale == 1:  # the cached pixmaps are exactly what the screen shows
        widget.render(image)
    else:
        with drawn_afresh(widget):
            widget.render(image)
    return image


def image_png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("Could not encode the picture as PNG.")
    return bytes(buffer.data())


def export_widget_png(widget, path: str | Path, scale: int = 1) -> None:
    """A PNG of ``widget`` (a view or the whole window) at 1x or 2x its size on screen."""
    if scale not in (1, 2):
        raise ExportError(f"PNG scale must be 1 or 2, got {scale!r}.")
    write_bytes(path, image_png_bytes(render_image(widget, scale)))


def _svg_bytes(size: QSize, paint: Callable[[QPainter], None]) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    from PySide6.QtSvg import QSvgGenerator  # on first use: the first window does not need it

    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(QPoint(0, 0), size))
    generator.setTitle("gdviz")
    painter = QPainter(generator)
    try:
        paint(painter)
    finally:
        painter.end()
    return bytes(buffer.data())


def export_window_svg(widget, path: str | Path) -> None:
    """An SVG of a widget (the whole window, or one view with everything drawn over it)."""
    with drawn_afresh(widget):
        data = _svg_bytes(widget.size(), lambda p: widget.render(p, QPoint(0, 0)))
    write_bytes(path, data)


def export_view_svg(plot_item, path: str | Path) -> None:
    """An SVG of one pyqtgraph item (e.g. a view's PlotItem with its axes and colour bar)."""
    source = plot_item.sceneBoundingRect()
    size = QSize(max(round(source.width()), 1), max(round(source.height()), 1))
    target = QRectF(0, 0, size.width(), size.height())
    with drawn_afresh(plot_item):
        data = _svg_bytes(size, lambda p: plot_item.scene().render(p, target, source))
    write_bytes(path, data)


def export_picture(widget, path: str | Path, scale: int = 1) -> None:
    """PNG (``scale`` 1 or 2) or SVG of ``widget``, chosen by the suffix of ``path``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        export_widget_png(widget, path, scale)
    elif suffix == ".svg":
        export_window_svg(widget, path)
    else:
        raise ExportError(f"A picture is saved as .png or .svg, not {suffix or 'no suffix'}.")


def view_widget(window, name: str):
    """The widget showing ``name`` (window, surface, loss, data, sweep or one of the lab's:
    range_test, batch_scaling, sharpness) in the current mode."""
    comparing = window.engine.comparing
    # Looked up only for the name asked for: the compare view and the sweep panel are built on
    # first use.
    widgets = {
        "window": lambda: window,
        "surface": lambda: window.compare_view.surface if comparing else window.surface_view,
        "loss": lambda: window.compare_view.loss_widget if comparing else window.loss_view,
        "data": lambda: None if comparing else window.data_view,
        "sweep": lambda: window.sweep_panel,
        **{name: (lambda n=name: window.lab.panel(n)) for name in window.lab.docks},
    }
    if name not in widgets:
        raise ExportError(f"No view called {name!r}; choose one of {', '.join(widgets)}.")
    widget = widgets[name]()
    if widget is None:
        raise ExportError("Compared runs have no data view; choose surface, loss or window.")
    return widget


# -- animations ---------------------------------------------------------------------------------
def ffmpeg_executable() -> str | None:
    """imageio-ffmpeg's bundled ffmpeg (the ``video`` extra), else an ffmpeg on the PATH."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError, OSError):
        return shutil.which("ffmpeg")


def _pil_image(image: QImage, size: tuple[int, int]):
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    if (image.width(), image.height()) != size:
        image = image.scaled(*size, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)  # fmt: skip
    data = bytes(image.constBits())
    from PIL import Image  # on first use: ~70 ms of imports the first window does not need

    return Image.frombytes("RGB", size, data, "raw", "RGB", image.bytesPerLine())


class GifStream:
    """An animated GIF written frame by frame. One palette (from a representative frame, the
    last one, which has every colour of the run) serves all frames, and each frame stores only
    the rectangle that changed. Memory: about 5 bytes a pixel of one frame, whatever the count."""

    def __init__(self, path: Path, fps: float, palette_frame) -> None:
        from PIL import GifImagePlugin, Image  # Pillow on first use (see _pil_image)

        self._pil, self._gif = Image, GifImagePlugin
        self.handle = open(path, "wb")
        self.palette = palette_frame.quantize(255, method=Image.Quantize.MEDIANCUT)
        self.previous: np.ndarray | None = None
        self.fps, self.count = fps, 0

    def add(self, image) -> None:
        # No dithering: it would shimmer in areas that did not change between frames.
        frame = image.quantize(palette=self.palette, dither=self._pil.Dither.NONE)
        pixels = np.asarray(frame)
        if self.previous is None:
            header, _ = self._gif.getheader(frame, None, {"loop": 0, "optimize": False})
            self.handle.writelines(header)
            box = (0, 0, *frame.size)
        else:
            changed = pixels != self.previous
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            # An unchanged frame still counts (its duration): one pixel, redrawn as it is.
            box = (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1) if rows.size else (0, 0, 1, 1)
        self.previous = pixels
        # GIF delays are centiseconds: round the running total so the length stays right.
        delay = round(100 * (self.count + 1) / self.fps) - round(100 * self.count / self.fps)
        part = frame if box == (0, 0, *frame.size) else frame.crop(box)
        box = tuple(int(v) for v in box)
        self.handle.writelines(self._gif.getdata(part, box[:2], duration=10 * delay))
        self.count += 1

    def close(self) -> None:
        self.handle.write(b";")  # the GIF trailer
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()

    def abort(self) -> None:
        self.handle.close()


class Mp4Stream:
    """An H.264 MP4 written by an ffmpeg process that reads raw RGB frames on its stdin."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        exe = ffmpeg_executable()
        if exe is None:
            raise ExportError(VIDEO_HELP + ".")
        self.errors = tempfile.TemporaryFile()  # a file, not a pipe: ffmpeg can never block
        command = [exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
                   "-s", f"{size[0]}x{size[1]}", "-r", f"{fps:g}", "-i", "-", "-an",
                   "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18",
                   "-movflags", "+faststart", "-f", "mp4", str(path)]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=self.errors)  # fmt: skip

    def add(self, image) -> None:
        try:
            self.process.stdin.write(image.tobytes())
        except (BrokenPipeError, OSError):
            self.process.wait()
            raise ExportError(f"ffmpeg stopped: {self._message()}") from None

    def _message(self) -> str:
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self.process.returncode}"

    def close(self) -> None:
        self.process.stdin.close()
        if self.process.wait() != 0:
            raise ExportError(f"ffmpeg could not write the video: {self._message()}")
        self.errors.close()

    def abort(self) -> None:
        self.process.kill()
        self.process.wait()
        self.errors.close()


def show_prefix(window, rows: int | None) -> None:
    """Show only the first ``rows`` rows of the recorded run in every view (None or all rows:
    the live picture), as the timeline does when a lecturer rewinds it by hand."""
    n = len(window.engine.recording)
    live = rows is None or int(rows) >= n
    window.state.timeline = None if live else int(np.clip(rows, 1, n))
    window.frames.draw()


def frame_rows(frame: int, frames: int, rows: int) -> int:
    """Rows shown by frame ``frame`` of ``frames``: the start point first, the whole run last."""
    return 1 + round(frame * (rows - 1) / max(frames - 1, 1))


def export_animation(window, widget, path: str | Path, frames: int = 60, fps: float = 20,
                     size: tuple[int, int] | None = None, scale: int = 1,
                     progress: Callable[[int, int], bool] | None = None) -> None:  # fmt: skip
    """Replay the window's recorded run into ``path`` (.gif or .mp4): ``frames`` pictures of
    ``widget`` drawn at ``scale`` (1 or 2) at ``fps`` a second, frame i showing the first
    :func:`frame_rows` rows, resized to ``size`` (default: the widget's size x ``scale``).
    ``progress(done, frames)`` is called after each frame; returning False cancels
    (ExportCancelled, no file). The timeline is put back. Pause the run first (a running run
    would move the timeline back to live)."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ExportError(f"An animation is saved as .gif or .mp4, not {suffix or 'no suffix'}.")
    top = MAX_FPS if suffix == ".mp4" else GIF_MAX_FPS
    if not (2 <= frames <= MAX_FRAMES and 0 < fps <= top):
        raise ExportError(f"Choose 2 to {MAX_FRAMES} frames at up to {top} a second.")
    recording = window.engine.recording
    if recording is None or not len(recording):
        raise ExportError("There is no run to animate yet.")
    width, height = size or (widget.width() * scale, widget.height() * scale)
    if suffix == ".mp4":  # H.264 in yuv420p needs even sizes
        width, height = width - width % 2, height - height % 2
    size, n = (max(width, 2), max(height, 2)), len(recording)
    shown = window.state.timeline
    try:
        with atomic_file(path) as temp:
            show_prefix(window, n)
            last = _pil_image(render_image(widget, scale), size)
            stream = GifStream(temp, fps, last) if suffix == ".gif" else Mp4Stream(temp, fps, size)
            try:
                for i in range(frames):
                    show_prefix(window, frame_rows(i, frames, n))
                    if i < frames - 1:
                        frame = _pil_image(render_image(widget, scale), size)
                    stream.add(frame if i < frames - 1 else last)
                    if progress is not None and progress(i + 1, frames) is False:
                        raise ExportCancelled("Export cancelled: no file was written.")
            except BaseException:
                stream.abort()
                raise
            stream.close()
    finally:
        show_prefix(window, shown)
