"""Halls' first-person view: a raycaster vectorised in numpy.

One ray per pixel column. All grid-line crossings of all rays are computed at
once as (columns x steps) arrays and the first solid cell along each ray is
found with ``argmax`` (a DDA without a Python loop). Walls are textured and
distance-shaded from one pre-shaded palette with a single gather per frame;
floor and ceiling are per-row gradients from the same palette; billboards are
depth-sorted and clipped per column by the walls' z-buffer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .art import LEVELS, LEVELS_PER_CELL, SPRITE_TEX, TEX, level_of, tables

FOV_DEGREES = 66.0
PLANE = math.tan(math.radians(FOV_DEGREES / 2))
EYE = 0.5  # eye height; walls are 1 tall
NEAR = 0.15  # sprites closer than this are not drawn
MAX_SIDE = 19  # the largest map side the generator makes; rays cross at most this many grid lines
FLOOR_CACHE = 256  # floor pictures kept per camera


@lru_cache(maxsize=8192)
def direction(heading: float) -> tuple[float, float]:
    """Unit vector of a heading in degrees (0 = east, 90 = south), exact on the compass points."""
    r = math.radians(heading)
    return (round(math.cos(r), 12) + 0.0, round(math.sin(r), 12) + 0.0)


class Grid:
    """The map as the renderer needs it: solid cells and face materials, padded so that
    every crossing index a ray can produce is in range (no clipping per frame). One
    fixed-size grid is reused by every map a world loads."""

    # Every ray inside a map hits a wall within the map's diagonal, so crossings beyond TMAX never
    # matter; they are clamped to it, and the padding covers anything a clamped crossing reaches.
    TMAX = math.ceil(MAX_SIDE * math.sqrt(2)) + 1.0
    PAD = int(math.ceil(math.hypot(1.0, PLANE) * TMAX)) + 2
    SIDE = MAX_SIDE + 2 * PAD

    def __init__(self) -> None:
        side = self.SIDE
        self.pad, self.wp, self.tmax = self.PAD, side, self.TMAX
        self.steps_x = self.steps_y = MAX_SIDE + 1  # the same for every map, so ray tables are shared
        self.solid = np.ones((side, side), dtype=bool)
        self.solid_flat = self.solid.reshape(-1)
        # Stored as palette offsets: (side * LEVELS * M + material) * TEX * TEX, side 1 for faces 2 and 3.
        self.mats = np.zeros((4, side, side), dtype=np.intp)
        self.mats_flat = self.mats.reshape(-1)
        self.cells = side * side
        self.h = self.w = 0

    def load(self, solid: np.ndarray, face_mat: np.ndarray) -> "Grid":
        h, w = solid.shape
        if max(h, w) > MAX_SIDE:
            raise ValueError(f"maps are at most {MAX_SIDE} cells a side, got {w}x{h}")
        pad = self.pad
        self.solid[pad:pad + self.h, pad:pad + self.w] = True
        self.h, self.w = h, w
        self.solid[pad:pad + h, pad:pad + w] = solid
        self.mats[:, pad:pad + h, pad:pad + w] = self._offset(np.arange(4)[:, None, None], face_mat)
        return self

    def set_solid(self, x: int, y: int, value: bool) -> None:
        self.solid[y + self.pad, x + self.pad] = value

    @staticmethod
    def _offset(face, material):
        return ((face >= 2) * (LEVELS * tables().materials) + material) * (TEX * TEX)

    def set_material(self, face: int, x: int, y: int, material: int) -> None:
        self.mats[face, y + self.pad, x + self.pad] = self._offset(face, material)


@dataclass
class _Rays:
    """Per-heading constants of every column's ray."""

    rx: np.ndarray  # (W, 1)
    ry: np.ndarray
    inv: np.ndarray  # (W, Kx + Ky): 1/rx for the vertical grid lines, then 1/ry for the horizontal ones
    kk: np.ndarray  # (W, Kx + Ky): t of crossing k for a ray starting on a cell corner (+ a nudge past the line)
    face_x: np.ndarray  # (W,) face index when the ray stops at a vertical grid line
    face_y: np.ndarray
    half: np.ndarray  # (Kx + Ky,) 0 for vertical-line crossings, 1 for horizontal ones


NUDGE = 1e-7  # evaluate each crossing just past its grid line, so floor() names the cell entered


class Camera:
    """Per-resolution constants (column angles, row distances, background) and per-heading ray tables."""

    def __init__(self, height: int, width: int) -> None:
        t = tables()
        self.h, self.w = height, width
        self.f = width / (2 * PLANE)
        self.cam = (2 * (np.arange(width) + 0.5) / width - 1.0)
        rc = np.arange(height) + 0.5 - height / 2
        self.rc = rc[:, None]
        self.abs_rc = np.abs(rc)[:, None]
        row_dist = EYE * self.f / np.maximum(np.abs(rc), 0.5)  # an odd height has a row on the horizon
        bg = (t.bg_offset + np.where(rc < 0, 0, LEVELS) + level_of(row_dist)).astype(np.intp)
        self.bg = np.repeat(bg[:, None], width, axis=1)
        # Floor casting: rows below the horizon see the floor at these distances.
        self.horizon = int(np.argmax(rc > 0))
        self.floor_dist = 2.0 * row_dist[self.horizon:, None]  # in half cells: tiles are half a cell
        self.floor_base = (t.bg_offset + LEVELS + level_of(row_dist[self.horizon:]))[:, None].astype(np.intp)
        self.v_scale = TEX / self.f
        self.level_stride = t.materials * TEX * TEX
        self._rays: dict[tuple[float, int, int], _Rays] = {}
        self._rows: dict[int, np.ndarray] = {}
        self._floors: dict[tuple[float, float, float], np.ndarray] = {}

    def rays(self, heading: float, kx: int, ky: int) -> _Rays:
        key = (heading, kx, ky)
        r = self._rays.get(key)
        if r is None:
            if len(self._rays) > 512:
                self._rays.clear()
            dx, dy = direction(heading)
            rx = dx - dy * PLANE * self.cam
            ry = dy + dx * PLANE * self.cam
            rx = np.where(np.abs(rx) < 1e-9, 1e-9, rx)
            ry = np.where(np.abs(ry) < 1e-9, 1e-9, ry)
            inv_x, inv_y = 1.0 / rx, 1.0 / ry
            inv = np.concatenate([np.repeat(inv_x[:, None], kx, axis=1), np.repeat(inv_y[:, None], ky, axis=1)], axis=1)
            # t of crossing k from a point (mx, my) = the cell's corner, before the per-pose shift
            kk = np.concatenate([(np.arange(kx)[None, :] + (rx > 0)[:, None]) * np.abs(inv_x)[:, None],
                                 (np.arange(ky)[None, :] + (ry > 0)[:, None]) * np.abs(inv_y)[:, None]], axis=1) + NUDGE
            half = np.concatenate([np.zeros(kx), np.ones(ky)])
            r = _Rays(rx[:, None], ry[:, None], inv, kk, np.where(rx > 0, 0, 1), np.where(ry > 0, 2, 3), half)
            self._rays[key] = r
        return r

    def cast(self, grid: Grid, px: float, py: float, heading: float) -> tuple[np.ndarray, np.ndarray]:
        """Per column: perpendicular wall distance and the palette index of texel (u, 0) of the hit."""
        kx = grid.steps_x
        r = self.rays(heading, kx, grid.steps_y)
        mx, my = math.floor(px), math.floor(py)
        # Every crossing of a vertical grid line (x = integer), then of a horizontal one, for all columns:
        # t = kk + (corner - position) / r, the corner's offset being mx - px or my - py.
        shift = r.half * ((my - py) - (mx - px))
        shift += mx - px
        t = r.inv * shift
        t += r.kk
        np.minimum(t, grid.tmax, out=t)
        x = t * r.rx
        x += px + grid.pad
        y = t * r.ry
        y += py + grid.pad
        idx = y.astype(np.intp)
        idx *= grid.wp
        idx += x.astype(np.intp)
        # Crossings are in t order within each half (the padding guarantees a hit in both) ...
        hit = grid.solid_flat.take(idx)
        rows = self._rows.get(t.shape[1])
        if rows is None:
            rows = self._rows[t.shape[1]] = np.arange(self.w) * t.shape[1]
        a = hit[:, :kx].argmax(axis=1)
        a += rows
        b = hit[:, kx:].argmax(axis=1)
        b += rows + kx
        ta, tb = t.take(a), t.take(b)
        use_x = ta < tb  # ... so the nearer of the two halves' first hits wins
        flat = np.where(use_x, a, b)
        dist = np.where(use_x, ta, tb)
        along = np.where(use_x, y.take(flat), x.take(flat))
        along *= TEX
        u = along.astype(np.intp)
        u &= TEX - 1
        u *= TEX
        face = np.where(use_x, r.face_x, r.face_y)
        face *= grid.cells
        face += idx.take(flat)
        base = grid.mats_flat.take(face)  # (side * L * M + material) * T*T
        base += u
        level = (dist * LEVELS_PER_CELL).astype(np.intp)
        np.minimum(level, LEVELS - 1, out=level)
        level *= self.level_stride
        base += level
        return dist, base

    def draw(self, grid: Grid, px: float, py: float, heading: float) -> tuple[np.ndarray, np.ndarray]:
        """The walls, floor and ceiling as an (H, W, 3) frame, and the z-buffer."""
        dist, base = self.cast(grid, px, py, heading)
        outside = self.abs_rc >= (0.5 * self.f) / dist
        v = self.rc * (dist * self.v_scale)
        v += base + TEX / 2  # base is whole, so floor(v + base) = floor(v) + base
        idx = v.astype(np.intp)
        np.putmask(idx, outside, self.background(px, py, heading))
        return tables().palette.take(idx, axis=0), dist

    def background(self, px: float, py: float, heading: float) -> np.ndarray:
        """Palette indices of the ceiling (a gradient) and the floor (a checkerboard of half-cell tiles)."""
        # The checkerboard repeats every cell, so the picture depends on the position's fraction only.
        key = (heading, px - math.floor(px), py - math.floor(py))
        bg = self._floors.get(key)
        if bg is not None:
            return bg
        if len(self._floors) >= FLOOR_CACHE:
            self._floors.clear()
        r = self.rays(heading, MAX_SIDE + 1, MAX_SIDE + 1)
        bg = self._floors[key] = self.bg.copy()
        fx = self.floor_dist * r.rx[:, 0]
        fx += 2.0 * px + 4096.0  # keep it positive (and the parity) so truncation is floor
        fy = self.floor_dist * r.ry[:, 0]
        fy += 2.0 * py + 4096.0
        tile = fx.astype(np.intp)
        tile += fy.astype(np.intp)
        tile &= 1
        tile *= LEVELS
        tile += self.floor_base
        bg[self.horizon:] = tile
        return bg

    def sprites(self, frame: np.ndarray, zbuf: np.ndarray, px: float, py: float, heading: float,
                sprites: list[tuple[float, float, int, float]]) -> None:
        """Billboards (x, y, sprite id, size), far to near, hidden behind nearer walls column by column."""
        if not sprites:
            return
        dx, dy = direction(heading)
        f, w, h = self.f, self.w, self.h
        shown = []
        for sx, sy, sid, size in sprites:
            rx, ry = sx - px, sy - py
            d = rx * dx + ry * dy
            if d <= NEAR:
                continue
            s = f * size / d
            c = w / 2 + f * (ry * dx - rx * dy) / d
            if c + s / 2 > 0 and c - s / 2 < w:
                shown.append((d, c, s, sid))
        if not shown:
            return
        shown.sort(reverse=True)
        for d, c, s, sid in shown:
            side = int(s + 0.5)
            if side < 1:
                continue
            b = h / 2 + f * EYE / d
            x0, y0 = int(math.floor(c - side / 2 + 0.5)), int(math.floor(b - side + 0.5))
            c0, c1, r0, r1 = max(0, x0), min(w, x0 + side), max(0, y0), min(h, y0 + side)
            if c0 >= c1 or r0 >= r1:
                continue
            rgb, mask = scaled_sprite(sid, min(int(d * LEVELS_PER_CELL), LEVELS - 1), side)
            rgb = rgb[r0 - y0: r1 - y0, c0 - x0: c1 - x0]
            mask = mask[r0 - y0: r1 - y0, c0 - x0: c1 - x0]
            z = zbuf[c0:c1]
            if z.min() <= d:
                mask = mask & (z > d)[None, :, None]
            np.copyto(frame[r0:r1, c0:c1], rgb, where=mask)


_SCALED: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = {}


def scaled_sprite(sprite: int, level: int, side: int) -> tuple[np.ndarray, np.ndarray]:
    """A sprite resampled to ``side`` pixels at one shading level: (rgb, mask (side, side, 1)), cached."""
    key = (sprite, level, side)
    found = _SCALED.get(key)
    if found is None:
        if len(_SCALED) > 4096:
            _SCALED.clear()
        t = tables()
        texel = (np.arange(side) * SPRITE_TEX) // side
        rgb = t.sprites[level, sprite][texel[:, None], texel[None, :]]
        mask = t.sprite_masks[sprite][texel[:, None], texel[None, :]][:, :, None]
        found = _SCALED[key] = (rgb, mask)
    return found


_CAMERAS: dict[tuple[int, int], Camera] = {}


def camera(height: int, width: int) -> Camera:
    cam = _CAMERAS.get((height, width))
    if cam is None:
        cam = _CAMERAS[(height, width)] = Camera(height, width)
    return cam


_CROSS = np.array([235, 235, 235], dtype=np.uint8)


def draw_crosshair(frame: np.ndarray) -> None:
    """A small cross at the centre: what E reaches is under it."""
    h, w, _ = frame.shape
    cy, cx = h // 2, w // 2
    arm = max(1, min(h, w) // 40)
    frame[cy, cx - arm: cx + arm + 1] = _CROSS
    frame[cy - arm: cy + arm + 1, cx] = _CROSS
