"""The identity-only layers of a shaded face: clothing, neck, hair, ears and the lit skin of the
face, built once per (identity, height) on the layout of the cartoon renderer
(``faces.head.static_layers``) and kept in a byte-bounded LRU."""
from __future__ import annotations

import math

import cv2
import numpy as np

from ..faces.canvas import ASPECT, to_fixed
from ..faces.head import StaticLayers, static_layers
from ..faces.identity import HAIR_STYLES, Identity, luminance
from .shading import (ByteLRU, Grid, blur, cover, ellipsoid_light, gauss, gauss_pair, lines, noise, over, relief,
                      shade, unpremultiply)

#: Sprites shorter than this are drawn at twice the size and averaged down.
SUPERSAMPLE_BELOW = 40
#: Budget for cached layers (bytes); old entries are evicted first.
CACHE_BUDGET = 96 * 2 ** 20
_CACHE = ByteLRU(CACHE_BUDGET)

_CLOTHES = ((46, 52, 70), (120, 30, 36), (38, 74, 60), (200, 196, 188), (28, 28, 30), (90, 110, 140),
            (150, 120, 84), (70, 70, 76), (176, 90, 40), (60, 40, 80))
_PHI21 = np.linspace(0.0, 1.0, 25)


class Layers:
    """One identity at one height, drawn without an expression: ``out`` (the finished RGBA
    sprite) and, over ``band`` (y0, y1, x0, x1: the window an expression redraws, grid ``gb``),
    ``P``/``A`` (premultiplied colour and alpha), ``alb`` (the visible skin's albedo: what the
    expression's relief multiplies), ``U`` / ``brow_u`` (how much of what is drawn under the front
    hair and glasses, or under the glasses only, shows); the cartoon layout ``st`` and colours."""

    @property
    def nbytes(self) -> int:
        n = self.P.nbytes + self.A.nbytes + self.alb.nbytes + self.U.nbytes + self.brow_u.nbytes + self.out.nbytes
        if self.full is not None:
            n += self.full[0].nbytes + self.full[1].nbytes
        return n


def layers(idt: Identity, H: int) -> Layers:
    """The identity-only layers of ``idt`` at height ``H``, cached."""
    return _CACHE.get((idt, H), lambda: _build(idt, H))


def clear_cache() -> None:
    """Drop the cached layers (they are a pure function of the identity and height)."""
    _CACHE.clear()


def exposure(skin) -> float:
    """A camera's exposure for this skin: dark faces are exposed up a little, as a photographer
    exposes for the face."""
    lum = luminance(skin)
    return float(min(1.6, max(1.0, (95.0 / max(lum, 1.0)) ** 0.5)))


def _build(idt: Identity, H: int) -> Layers:  # noqa: C901 (a long recipe)
    W = round(H * ASPECT)
    g = Grid(H, W)
    st: StaticLayers = static_layers(idt, H)
    L = Layers()
    L.g, L.st = g, st
    k = g.k
    rng = np.random.default_rng((idt.seed, 2))
    cx, hw, y_k, y_t, ey, ny, my = st.cx, st.hw, st.y_k, st.y_t, st.ey, st.ny, st.my
    chin = idt.chin_y
    m = 2.0 / H
    style = HAIR_STYLES[idt.hair_style]
    long_style = style in ("long", "bob")
    ex = exposure(idt.skin)
    skin = np.array(idt.skin, np.float32) * ex
    L.skin, L.exposure = skin, ex
    hair_col = np.array(idt.hair_color, np.float32) * min(ex, 1.25)
    P = np.zeros((H, W, 3), np.float32)
    A = np.zeros((H, W), np.float32)
    sx = 1.0 / H  # one pixel in height units

    # ---- hair behind the head ----
    vol = idt.hair_volume
    xmax = cx - m
    a_out = min(hw + vol + 0.008, xmax)
    top = max(y_t - vol * 1.1 - 0.006, m + 0.002)
    b_out = y_k - top
    hair_light, hair_spec = ellipsoid_light(g, cx, y_k, a_out * 1.05, b_out * 1.05, 0.8, 0.35, 0.25, 10)
    streak = noise(rng, (H, W), 0, (1, max(3, H // 16)))
    hair_tex = (1.0 + 0.12 * streak)
    if style != "bald":
        bumpy = style in ("curly", "afro")
        side_low = {"afro": 0.1, "curly": 0.04}.get(style, 0.0)
        phi0 = -math.asin(min(0.9, (ey + side_low - y_k) / b_out)) if ey + side_low > y_k else 0.0
        phi = phi0 + (math.pi - 2 * phi0) * np.linspace(0.0, 1.0, 41)
        rad = 1.0
        if bumpy:
            rad = 1.0 + 0.045 * idt.hair_curl * (np.abs(np.sin(phi * (9 if style == "afro" else 7))) - 0.6)
        ox = np.clip(cx + a_out * np.cos(phi) * rad, m, 2 * cx - m)
        oy = np.maximum(y_k - b_out * np.sin(phi) * rad, m)
        if long_style:
            end = idt.hair_length
            fl = max(0.0, min(0.03, xmax - a_out))
            bx = np.array([cx - a_out - fl * 0.6, cx - a_out - fl, cx - hw * 0.5, cx, cx + hw * 0.5,
                           cx + a_out + fl, cx + a_out + fl * 0.6])
            by = np.array([y_k + 0.1, end, end + 0.01, end - 0.004, end + 0.01, end, y_k + 0.1])
            ox, oy = np.concatenate((ox, bx)), np.concatenate((oy, by))
        back = cover(g, [to_fixed(k, ox, oy)])
        if style == "bun":
            br = 0.06 + vol
            back = np.maximum(back, cover(g, [to_fixed(k, cx + br * 1.1 * np.cos(_PHI21 * 2 * math.pi),
                                                         max(top - 0.02, m + br) + br * np.sin(_PHI21 * 2 * math.pi))]))
        dim = 0.55 if long_style else 0.8
        over(P, A, shade(hair_col * dim, hair_light * hair_tex, hair_spec * dim), back)
    if style in ("bald", "receding") and idt.hairline > 0.4:
        rem = gauss_pair(g, cx, hw - 0.004, ey - 0.01, 0.02 + 0.2 * vol, 0.05)
        over(P, A, shade(hair_col, hair_light * hair_tex), np.minimum(rem * 1.6, 1.0) * 0.9)

    # ---- clothing and neck ----
    neck_w = hw * (0.42 + 0.14 * idt.masculinity)
    nk_top, base_y = y_k + 0.15, min(chin + 0.085, 1.0 - m - 0.05)
    neck = cover(g, [to_fixed(k, [cx - neck_w, cx - neck_w * 1.12, cx + neck_w * 1.12, cx + neck_w],
                              [nk_top, 1.0 - m, 1.0 - m, nk_top])])
    nl, _ = ellipsoid_light(g, cx, 1.4, neck_w * 1.25, 2.0, 0.9, 0.4)
    jaw_y = np.interp(np.abs(g.X - cx), st.jx[::-1], st.jy[::-1], right=y_k)
    below = np.maximum(g.Y[:, None] - jaw_y[None, :], 0.0)
    nl = nl * (1.0 - 0.5 * np.exp(-below / 0.045))          # the jaw's shadow on the neck
    over(P, A, shade(skin * 0.93, nl, warm=0.5), neck)
    c_col = np.array(_CLOTHES[int(rng.integers(len(_CLOTHES)))], np.float32)
    v_neck = rng.random() < 0.4
    sh_x = np.array([cx - neck_w * 1.3, cx - neck_w * 2.4, m, m])
    sh_y = np.array([base_y, base_y + 0.02, base_y + 0.06, 1.0 - m])
    if v_neck:
        nx_ = np.array([cx - neck_w * 0.9, cx, cx + neck_w * 0.9])
        ny_ = np.array([base_y - 0.004, min(base_y + 0.08, 1.0 - m), base_y - 0.004])
    else:
        nx_ = cx + neck_w * 1.3 * np.cos(np.linspace(math.pi, 0, 9))
        ny_ = base_y + 0.022 * np.sin(np.linspace(math.pi, 0, 9))
    cl_x = np.concatenate((sh_x[::-1], nx_, 2 * cx - sh_x))
    cl_y = np.concatenate((sh_y[::-1], ny_, sh_y))
    clothes = cover(g, [to_fixed(k, cl_x, cl_y)])
    cl_light, _ = ellipsoid_light(g, cx, 1.05, 0.55, 0.3, 0.7, 0.45)
    folds = 1.0 + 0.06 * noise(rng, (H, W), max(1.0, H / 60))
    over(P, A, shade(c_col, cl_light * folds), clothes)

    # ---- ears ----
    if not long_style:
        er_x, er_y = 0.034 * idt.ear_size, 0.06 * idt.ear_size
        e_y = ey + 0.04
        ears = gauss_pair(g, cx, hw - 0.004, e_y, er_x, er_y)
        ear_cov = np.clip((ears - 0.35) * 4.0, 0.0, 1.0)
        inner = gauss_pair(g, cx, hw + 0.004, e_y, er_x * 0.45, er_y * 0.55)
        el = 0.62 + 0.25 * ears - 0.3 * inner
        over(P, A, shade(skin * 0.95, el.astype(np.float32), warm=0.6), ear_cov)

    # ---- the face: albedo, lit skin ----
    face = cover(g, [to_fixed(k, st.face_x, st.face_y)])
    tex = 1.0 + 0.02 * noise(rng, (H, W), max(0.6, H / 200))
    alb = skin[None, None, :] * tex[..., None]
    cheeks = gauss_pair(g, cx, st.sep + 0.02, ey + 0.1, 0.05, 0.035)
    red = (0.05 + 0.6 * idt.blush) * (1.0 - 0.6 * idt.skin_tone)
    alb = alb * (1.0 + red * cheeks[..., None] * np.array([0.05, -0.12, -0.1], np.float32))
    sockets = gauss_pair(g, cx, st.sep, ey - 0.005, st.ew * 1.5, 0.03)
    alb = alb * (1.0 - 0.1 * sockets[..., None] * np.array([1.0, 1.05, 0.95], np.float32))
    if idt.beard or idt.moustache:
        alb = _facial_hair(idt, st, g, alb, hair_col, skin)
    light, spec = ellipsoid_light(g, cx, (y_t + chin) * 0.5 + 0.02, hw * 1.1, (chin - y_t) * 0.56, 1.0,
                                  0.46, 0.1 + 0.1 * idt.skin_tone, 14)
    nw, sep, ew = st.nw, st.sep, st.ew
    hd = (gauss(g, cx, (ey + ny) * 0.5, nw * 0.55, (ny - ey) * 0.55) * 0.9
          + gauss(g, cx, ny - 0.006, nw * 0.85, 0.017) * 0.9
          + gauss_pair(g, cx, nw * 0.95, ny - 0.002, 0.011, 0.01) * 0.5
          + gauss_pair(g, cx, sep, st.b0 + 0.004, ew * 1.5, 0.016) * 0.6
          - sockets * 0.9
          + gauss(g, cx, chin - 0.035, st.cw + 0.03, 0.028) * 0.6
          - gauss(g, cx, my + 0.042, 0.035, 0.009) * 0.35)
    ao = (0.35 * gauss(g, cx, ny + 0.012, nw * 1.2, 0.008) + 0.2 * gauss_pair(g, cx, nw * 1.15, ny, 0.008, 0.01)
          + 0.25 * sockets)
    light = light + relief(hd.astype(np.float32), 1.1 * H / 100) - ao
    if style != "bald" and st.hair_front:
        hf = cover(g, st.hair_front)
        cast = blur(np.roll(hf, max(1, H // 40), axis=0), max(1.0, H / 60))
        light = light * (1.0 - 0.4 * cast)
    else:
        hf = None
    over(P, A, shade(alb, light.astype(np.float32), spec, warm=0.45), face)

    # ---- what lies over the expression: front hair, glasses (brows go over the hair) ----
    U = np.ones((H, W), np.float32)                 # how much of the skin shows through them
    if hf is not None:
        a = hf * (0.75 if style == "buzz" else 1.0)
        col = shade(hair_col, (hair_light * hair_tex).astype(np.float32), hair_spec)
        edge = blur(hf, max(0.8, H / 120))
        over(P, A, col * (0.7 + 0.3 * edge)[..., None], a)           # strands thin out at the hairline
        U *= 1.0 - a
    L.brow_u = U.copy()
    if st.glasses:
        rims, arms, gcol, gth = st.glasses
        gm = lines(g, list(rims) + list(arms), gth)
        over(P, A, np.array(gcol[:3], np.float32), gm)
        U *= 1.0 - gm
        L.brow_u *= 1.0 - gm
    # the window the expression redraws: forehead lines to below the (dropped) chin
    y0 = max(1, int((st.b0 - 0.15) * H))
    y1 = min(H - 1, int(math.ceil((chin + 0.1) * H)))
    x0 = max(1, int((cx - hw - 0.03) * H))
    x1 = min(W - 1, int(math.ceil((cx + hw + 0.03) * H)))
    L.band = (y0, y1, x0, x1)
    L.gb = g.window(y0, y1, x0, x1)
    win = (slice(y0, y1), slice(x0, x1))
    L.P, L.A = P[win].copy(), A[win].copy()
    L.U = U[win].copy()
    L.brow_u = L.brow_u[win].copy()
    L.alb = (alb * (face * U)[..., None])[win].astype(np.float32)
    A[0] = A[-1] = 0.0                             # the transparent frame
    A[:, 0] = A[:, -1] = 0.0
    L.out = unpremultiply(P, A)
    L.out.flags.writeable = False
    L.full = (P, A) if H < 2 * SUPERSAMPLE_BELOW else None   # tiny sprites are averaged from these
    return L


def _facial_hair(idt: Identity, st: StaticLayers, g: Grid, alb, hair_col, skin):
    """Beard, stubble, goatee and moustache, mixed into the albedo (so they are lit with the skin)."""
    cx, ny, my, mw = st.cx, st.ny, st.my, st.mw
    chin = idt.chin_y
    amt = np.zeros((g.H, g.W), np.float32)
    if idt.beard in (1, 2):                          # stubble or full beard: the lower face
        lower = np.clip((g.Y[:, None] - (ny + 0.03)) / 0.05, 0.0, 1.0)
        side = np.clip((np.abs(g.X[None, :] - cx) - 0.0) / 0.01, 0.0, 1.0)
        cheek = np.clip((g.Y[:, None] - (st.ey + 0.1)) / 0.04, 0.0, 1.0) * (side > 0)
        amt = np.maximum(lower, cheek * np.clip((np.abs(g.X[None, :] - cx) - st.hw * 0.55) / 0.04, 0, 1))
        amt = amt * (0.45 if idt.beard == 1 else 0.95)
    elif idt.beard == 3:                             # goatee
        amt = np.minimum(gauss(g, cx, (my + chin) * 0.5 + 0.01, mw * 0.6, (chin - my) * 0.45) * 1.5, 1.0) * 0.9
    if idt.moustache:
        amt = np.maximum(amt, np.minimum(gauss(g, cx, my - 0.022, mw * 0.9, 0.012) * 1.6, 1.0) * 0.9)
    tex = np.clip(1.0 + 0.3 * noise(np.random.default_rng((idt.seed, 3)), amt.shape, 0.6), 0.4, 1.6)
    a = np.clip(amt * tex, 0.0, 1.0)[..., None]
    dark = np.minimum(hair_col, skin * 0.6)
    return alb * (1.0 - a) + dark * a
