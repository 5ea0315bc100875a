"""A room (or an outdoor scene's ground and buildings) as 3-D geometry, painted far to near.

``Room`` collects axis-aligned boxes, line groups (legs, cables), convex polygons and flat
decorations on the walls, floor and ceiling, then renders them with one vectorised projection per
kind, Lambert + ambient shading from one light and soft floor shadows.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from ..rng import Draws
from .colors import mul3
from .geometry import (AA, CIRCLE16, CIRCLE16_LIST, NEAR, SCALE, SHIFT, Camera, PolygonBatch, clip_near,
                       clip_segments_near, plane_texture)
from .textures import texture

# the six faces of a box as corner indices, the corners' (x, y, z) picks and the face normals
_FACES = np.array([[0, 2, 6, 4], [1, 3, 7, 5], [0, 1, 5, 4], [2, 3, 7, 6], [0, 1, 3, 2], [4, 5, 7, 6]], dtype=np.intp)
_CX = np.array([0, 1, 0, 1, 0, 1, 0, 1], dtype=np.intp)
_CY = np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.intp)
_CZ = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=np.intp)
_NORMALS = np.array([[-1, 0, 0], [1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1]], dtype=np.float64)


class Room:
    """Collects room geometry and renders it.

    ``RW`` x ``RD`` x ``RH`` is the room's width, depth and height (x in [-RW/2, RW/2], z up to
    RD); outdoor scenes use a large dummy room and only its objects. ``light_side`` is the wall
    the windows go on ("left" / "right"; indoor rooms only) and ``wall_cols`` the wall paints,
    set by the indoor scene before it furnishes the room.
    """

    def __init__(self, rng: Draws, H: int, W: int, RW, RD, RH, cam: Camera, light_dir, amb, light_col, amb_col,
                 light_side: str | None = None):
        self.rng, self.H, self.W = rng, H, W
        self.light_side = light_side
        self.wall_cols: dict = {}
        self.RW, self.RD, self.RH = RW, RD, RH
        self.cam = cam
        L = np.asarray(light_dir, dtype=np.float64)
        L = L / np.linalg.norm(L)
        self.L = L
        lam = np.maximum(_NORMALS @ L, 0.0)  # (6,)
        fac = amb * np.asarray(amb_col)[None, :] + (1.0 - amb) * lam[:, None] * np.asarray(light_col)[None, :]
        fac[2] = np.maximum(fac[2], 0.8 * np.asarray(amb_col))  # ceilings get bounce light
        self.fac = fac  # (6, 3)
        self.amb, self.light_col, self.amb_col = amb, tuple(light_col), tuple(amb_col)
        self.F = [tuple(r) for r in fac.tolist()]
        self.flat = []  # ordered: ("p", pts3, col) | ("l", segs3 (m,2,3), col, px)
        self.boxes = []  # x0,x1,y0,y1,z0,z1,r,g,b,bias
        self.lines = []  # (points3 in pairs, thick, col, bias)
        self.polys = []  # (pts3, col, key)
        self.shadow = []  # (x0,x1,z0,z1,h)

    @property
    def dark_side(self) -> str:
        """The side wall opposite the windows (doors, shelves and pictures go there)."""
        return "right" if self.light_side == "left" else "left"

    # ---- helpers -------------------------------------------------------
    def shade(self, col, k):
        """A colour lit as box face ``k`` (index into the six axis-aligned normals)."""
        m = self.F[k]
        return (min(col[0] * m[0], 255.0), min(col[1] * m[1], 255.0), min(col[2] * m[2], 255.0))

    def nshade(self, col, n):
        """Shade a colour for an arbitrary (unit) normal n."""
        L = self.L
        d = max(n[0] * L[0] + n[1] * L[1] + n[2] * L[2], 0.0) * (1.0 - self.amb)
        a = self.amb
        lc, ac = self.light_col, self.amb_col
        return (min(col[0] * (a * ac[0] + d * lc[0]), 255.0), min(col[1] * (a * ac[1] + d * lc[1]), 255.0),
                min(col[2] * (a * ac[2] + d * lc[2]), 255.0))

    def box(self, x0, x1, y0, y1, z0, z1, col, shadow=False, bias=0.0):
        """An axis-aligned box, optionally casting a soft floor shadow."""
        self.boxes.append((x0, x1, y0, y1, z0, z1, col[0], col[1], col[2], bias))
        if shadow:
            self.shadow.append((x0, x1, z0, z1, y1))

    def boxc(self, cx, cz, w, d, y0, y1, col, shadow=False, bias=0.0):
        """An axis-aligned box given by its centre and footprint."""
        self.box(cx - w / 2, cx + w / 2, y0, y1, cz - d / 2, cz + d / 2, col, shadow, bias)

    def line3(self, p, q, thick, col, bias=0.0):
        """A thick 3-D segment (a leg, a cord)."""
        self.lines.append(([p, q], thick, col, bias))

    def lines3(self, segs, thick, col, bias=0.0):
        """A group of 3-D segments [(p, q), ...] drawn in one call (e.g. legs)."""
        pts = []
        for p, q in segs:
            pts.append(p)
            pts.append(q)
        self.lines.append((pts, thick, col, bias))

    def poly3(self, pts, col, key=None):
        """A convex 3-D polygon sorted by ``key`` (default: distance to its centroid)."""
        if key is None:
            n = len(pts)
            key = self.cam.depth(sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n, sum(p[2] for p in pts) / n)
        self.polys.append((pts, col, key))

    def disc(self, cx, y, cz, r, col, bias=0.0, rz=None):
        """A horizontal 16-gon (table top, plate, stool seat), lit from above or below."""
        rz = r if rz is None else rz
        pts = [(cx + r * ca, y, cz + rz * sa) for ca, sa in CIRCLE16_LIST]
        k = 3 if self.cam.y > y else 2
        self.poly3(pts, self.shade(col, k), self.cam.depth(cx, y, cz) + bias)

    def wall_pts(self, wall, u0, u1, v0, v1, off=0.0):
        """Corners of a quad on a wall / floor / ceiling in that surface's (u, v) coordinates."""
        if wall == "back":
            z = self.RD - off
            return [(u0, v0, z), (u1, v0, z), (u1, v1, z), (u0, v1, z)]
        if wall == "left":
            x = -self.RW / 2 + off
            return [(x, v0, u0), (x, v0, u1), (x, v1, u1), (x, v1, u0)]
        if wall == "right":
            x = self.RW / 2 - off
            return [(x, v0, u0), (x, v0, u1), (x, v1, u1), (x, v1, u0)]
        if wall == "floor":
            y = off
            return [(u0, y, v0), (u1, y, v0), (u1, y, v1), (u0, y, v1)]
        y = self.RH - off  # ceiling
        return [(u0, y, v0), (u1, y, v0), (u1, y, v1), (u0, y, v1)]

    WALL_FACE = {"back": 4, "left": 1, "right": 0, "floor": 3, "ceil": 2}

    def wall_point(self, wall, u, v, off=0.0):
        """One point on a wall / floor / ceiling in that surface's (u, v) coordinates."""
        if wall == "back":
            return (u, v, self.RD - off)
        if wall == "left":
            return (-self.RW / 2 + off, v, u)
        if wall == "right":
            return (self.RW / 2 - off, v, u)
        if wall == "floor":
            return (u, off, v)
        return (u, self.RH - off, v)

    def wq(self, wall, u0, u1, v0, v1, col, emissive=False, off=0.0):
        """Flat quad on a wall/floor/ceiling, drawn in insertion order."""
        c = col if emissive else self.shade(col, self.WALL_FACE[wall])
        self.flat.append(("p", self.wall_pts(wall, u0, u1, v0, v1, off), c))

    def wcircle(self, wall, u, v, r, col, emissive=False, off=0.0, n=16):
        """A flat disc on a wall (clock, door knob), drawn in insertion order."""
        c = col if emissive else self.shade(col, self.WALL_FACE[wall])
        pts = [self.wall_point(wall, u + r * ca, v + r * sa, off) for ca, sa in CIRCLE16[:: 16 // n].tolist()]
        self.flat.append(("p", pts, c))

    def wlines(self, wall, segs_uv, col, px=1, emissive=False, off=0.0):
        """Flat line segments on a wall; segs_uv: (m, 4) rows of (u0, v0, u1, v1)."""
        S = np.asarray(segs_uv, dtype=np.float64).reshape(-1, 4)
        if not len(S):
            return
        c = col if emissive else self.shade(col, self.WALL_FACE[wall])
        P = np.empty((len(S), 2, 3))
        U = S[:, 0::2]
        V = S[:, 1::2]
        if wall == "back":
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = U, V, self.RD - off
        elif wall == "left":
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = -self.RW / 2 + off, V, U
        elif wall == "right":
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = self.RW / 2 - off, V, U
        elif wall == "floor":
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = U, off, V
        else:
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = U, self.RH - off, V
        self.flat.append(("l", P, c, px))

    # ---- projection ----------------------------------------------------
    def _project_polygon(self, pts):
        """pts: (k,3) array -> int32 (k',2) scaled by SCALE, or None."""
        cam = self.cam
        xc, yc, zc = cam.to_cam(pts)
        if zc.min() < NEAR:
            if zc.max() < NEAR:
                return None
            cl = clip_near(xc, yc, zc)
            if len(cl) < 3:
                return None
            a = np.asarray(cl)
            xc, yc, zc = a[:, 0], a[:, 1], a[:, 2]
        return cam.project(xc, yc, zc)

    # ---- rendering -----------------------------------------------------
    def render(self, img, floor_col, wall_cols, ceil_col, floor_kind, floor_scale, floor_rot):
        """Draw the room: textured floor, walls and ceiling with their decorations, floor
        shadows, then every object far to near."""
        H = self.H
        cam = self.cam
        RW, RD, RH = self.RW, self.RD, self.RH
        xl, xr = -RW / 2, RW / 2
        zb = -4.0
        # ---------------- floor (perspective-warped texture) -------------
        fcol = self.shade(floor_col, 3)
        corners = np.array([[xl, 0, RD], [xr, 0, RD], [xl, 0, zb], [xr, 0, zb]], dtype=np.float64)
        _, yc, zc = cam.to_cam(corners)
        good = zc > NEAR
        vtop = cam.v0 + 1.0
        if good[:2].all():
            vtop = max(vtop, float((cam.v0 - yc[:2] * cam.f / zc[:2]).min()))
        r0 = int(min(max(math.floor(vtop) - 1, 0), H - 1))
        self._floor(img, r0, fcol, floor_kind, floor_scale, floor_rot)
        # ---------------- walls, ceiling and flat decorations (batched) --
        surf = [("p", [(xl, 0, RD), (xr, 0, RD), (xr, RH, RD), (xl, RH, RD)], self.shade(wall_cols["back"], 4)),
                ("p", [(xl, 0, zb), (xl, 0, RD), (xl, RH, RD), (xl, RH, zb)], self.shade(wall_cols["left"], 1)),
                ("p", [(xr, 0, zb), (xr, 0, RD), (xr, RH, RD), (xr, RH, zb)], self.shade(wall_cols["right"], 0)),
                ("p", [(xl, RH, zb), (xr, RH, zb), (xr, RH, RD), (xl, RH, RD)], self.shade(ceil_col, 2))]
        self.draw_flat(img, surf + self.flat)
        # ---------------- soft shadows --------------------------------
        if self.shadow:
            self.draw_shadows(img)
        # ---------------- depth-sorted objects ------------------------
        self.draw_objects(img)

    def draw_flat(self, img, items):
        """Draw flat polygons / line groups in order, projecting all at once."""
        cam = self.cam
        polys = [it[1] for it in items if it[0] == "p"]
        bt = PolygonBatch(cam, polys)
        spts = [it[1] for it in items if it[0] == "l"]
        if spts:
            S = np.concatenate(spts, 0)
            sxc, syc, szc = cam.to_cam(S)
            sok = clip_segments_near(sxc, syc, szc).tolist()
            suv = cam.project(sxc, syc, szc)
        pi = 0
        si = 0
        fill = cv2.fillConvexPoly
        for it in items:
            if it[0] == "p":
                p = bt.get(pi)
                if p is not None:
                    fill(img, p, it[2], AA, SHIFT)
                pi += 1
            else:
                n = len(it[1])
                segs = [suv[j] for j in range(si, si + n) if sok[j]]
                si += n
                if segs:
                    cv2.polylines(img, segs, False, it[2], it[3], AA, SHIFT)

    def _floor(self, img, r0, fcol, kind, scale, rot):
        plane_texture(img, self.cam, self.rng, r0, texture("floor")[kind], fcol, scale, rot)

    def draw_shadows(self, img):
        """Darken the floor under every shadow-casting object (soft, offset away from the light)."""
        H, W = self.H, self.W
        cam = self.cam
        s = 4
        hs, ws = max(H // s, 1), max(W // s, 1)
        mask = np.zeros((hs, ws), np.uint8)
        L = self.L
        ly = max(L[1], 0.3)
        S = np.asarray(self.shadow, dtype=np.float64)  # (N,5)
        n = len(S)
        # footprint corners, displaced away from the light by ~height
        dx = -L[0] / ly * 0.35
        dz = -L[2] / ly * 0.35
        hgt = S[:, 4]
        ex = 0.08
        P = np.zeros((n, 4, 3))
        P[:, 0, 0] = S[:, 0] - ex
        P[:, 1, 0] = S[:, 1] + ex
        P[:, 2, 0] = S[:, 1] + ex
        P[:, 3, 0] = S[:, 0] - ex
        P[:, 0, 2] = S[:, 2] - ex
        P[:, 1, 2] = S[:, 2] - ex
        P[:, 2, 2] = S[:, 3] + ex
        P[:, 3, 2] = S[:, 3] + ex
        P[:, :, 0] += (dx * hgt)[:, None]
        P[:, :, 2] += (dz * hgt)[:, None]
        xc, yc, zc = cam.to_cam(P)
        ok = zc.min(1) > NEAR
        if not ok.any():
            return
        iz = cam.f / np.maximum(zc, NEAR)
        u = (cam.u0 + xc * iz) * (ws / W)
        v = (cam.v0 - yc * iz) * (hs / H)
        uv = np.rint(np.clip(np.stack([u, v], -1), -1e5, 1e5) * 16).astype(np.int32)
        for i in np.flatnonzero(ok).tolist():
            cv2.fillConvexPoly(mask, uv[i], 255, cv2.LINE_AA, 4)
        k = max(3, (min(hs, ws) // 24) | 1)
        mask = cv2.blur(mask, (k, k))
        strength = self.rng.uniform(0.25, 0.5)
        shade = cv2.addWeighted(mask, -strength, mask, 0.0, 255.0)
        r0 = int(max(min(self.cam.v0, H - 1), 0)) // s
        sh = shade[r0:]
        if sh.size == 0:
            return
        y0 = r0 * s
        sh3 = cv2.resize(cv2.merge([sh, sh, sh]), (W, H - y0), interpolation=cv2.INTER_LINEAR)
        sub = img[y0:]
        cv2.multiply(sub, sh3, dst=sub, scale=1.0 / 255.0)

    def draw_objects(self, img):
        """Boxes, line groups and polygons, depth-sorted and painted far to near."""
        cam = self.cam
        items = []  # (key, kind, index)
        # ---- boxes (vectorised) ----
        nb = len(self.boxes)
        if nb:
            B = np.asarray(self.boxes, dtype=np.float64)
            C = np.empty((nb, 8, 3))
            C[:, :, 0] = B[:, 0:2][:, _CX]
            C[:, :, 1] = B[:, 2:4][:, _CY]
            C[:, :, 2] = B[:, 4:6][:, _CZ]
            xc, yc, zc = cam.to_cam(C)
            zmin = zc.min(1)
            zmax = zc.max(1)
            PF = np.ascontiguousarray(cam.project(xc, yc, zc)[:, _FACES])  # (nb,6,4,2)
            vis = np.stack(
                [cam.x < B[:, 0], cam.x > B[:, 1], cam.y < B[:, 2], cam.y > B[:, 3], cam.z < B[:, 4], cam.z > B[:, 5]],
                1,
            )
            cols = B[:, None, 6:9] * self.fac[None, :, :]
            np.minimum(cols, 255.0, out=cols)
            ctr = np.stack([(B[:, 0] + B[:, 1]) / 2, (B[:, 2] + B[:, 3]) / 2, (B[:, 4] + B[:, 5]) / 2], 1)
            key = np.sqrt(((ctr - np.array([cam.x, cam.y, cam.z])) ** 2).sum(1)) + B[:, 9]
            front = zmin >= NEAR
            PFf = PF.reshape(-1, 4, 2)
            colf = cols.reshape(-1, 3).tolist()
            keyl = key.tolist()
            # drop faces that project to (almost) nothing: edge-on or tiny far faces
            q = PF.astype(np.float64)
            area2 = np.abs(
                (q[..., 0] * np.roll(q[..., 1], -1, axis=2) - np.roll(q[..., 0], -1, axis=2) * q[..., 1]).sum(2)
            )
            bi, fi = np.nonzero(vis & front[:, None] & (area2 > 0.5 * SCALE * SCALE))
            items.extend([(keyl[b], 0, b * 6 + f) for b, f in zip(bi.tolist(), fi.tolist())])
            cross = np.flatnonzero((~front) & (zmax >= NEAR)).tolist()
            box_vis = vis.tolist()
            items.extend([(keyl[b], 3, b) for b in cross])
        # ---- line groups ----
        nl = len(self.lines)
        if nl:
            allp, lst = [], []
            for pts, _th, _col, _bias in self.lines:
                lst.append(len(allp))
                allp.extend(pts)
            lst.append(len(allp))
            P = np.asarray(allp, dtype=np.float64)
            xc, yc, zc = cam.to_cam(P)
            d = np.sqrt((xc * xc + yc * yc + zc * zc))
            xc, yc, zc = xc.reshape(-1, 2), yc.reshape(-1, 2), zc.reshape(-1, 2)
            seg_ok = clip_segments_near(xc, yc, zc)
            luv = cam.project(xc, yc, zc)
            sst = [k // 2 for k in lst]
            starts = sst[:-1]
            okc = seg_ok.astype(np.int32)
            n_ok = np.add.reduceat(okc, starts)
            cnt = np.diff(np.asarray(sst))
            all_ok = (n_ok == cnt).tolist()
            any_ok = (n_ok > 0).tolist()
            zm = np.maximum(np.add.reduceat(zc.sum(1), starts) / (2 * cnt), NEAR)
            th = np.array([t[1] for t in self.lines])
            lth = np.clip(np.rint(cam.f * th / zm), 1, 40).astype(int).tolist()
            mean_fac = self.fac.mean(0)
            lkey = (np.add.reduceat(d, lst[:-1]) / (2 * cnt)).tolist()
            for i in range(nl):
                if any_ok[i]:
                    items.append((lkey[i] + self.lines[i][3], 1, i))
        # ---- polygons ----
        pb = PolygonBatch(cam, [p[0] for p in self.polys])
        for i, (pts, col, k) in enumerate(self.polys):
            items.append((k, 2, i))
        items.sort(reverse=True)
        fill = cv2.fillConvexPoly
        for _, kind, i in items:
            if kind == 0:
                fill(img, PFf[i], colf[i], AA, SHIFT)
            elif kind == 1:
                col = self.lines[i][2]
                a, b = sst[i], sst[i + 1]
                segs = list(luv[a:b]) if all_ok[i] else list(luv[a:b][seg_ok[a:b]])
                cv2.polylines(img, segs, False, mul3(col, mean_fac), lth[i], AA, SHIFT)
            elif kind == 2:
                p = pb.get(i)
                if p is not None:
                    fill(img, p, self.polys[i][1], AA, SHIFT)
            else:  # box crossing the near plane: clip faces individually
                vv = box_vis[i]
                for f in range(6):
                    if vv[f]:
                        p = self._project_polygon(C[i, _FACES[f]])
                        if p is not None:
                            fill(img, p, colf[i * 6 + f], AA, SHIFT)
