"""The identity-only part of a face: layout, colours and the back layers (hair behind, neck,
ears, face), built once per (identity, height) and kept in a small byte-bounded LRU."""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

from .canvas import (ASPECT, DENSE_FROM, GRIDS, SHIFT, SIDES, draw_ellipse, draw_polylines, fill_polys,
                     mix_rgba, rgba, to_fixed)
from .identity import HAIR_STYLES, Identity, luminance


_ZIG = np.where(np.arange(17) % 2 == 0, 0.0, 1.0)
_SQ = np.linspace(0.0, 2 * math.pi, 25)[:-1]
_U21, _U41 = np.linspace(0.0, 1.0, 21), np.linspace(0.0, 1.0, 41)
_SYM9, _SYM17 = np.linspace(1.0, -1.0, 9), np.linspace(1.0, -1.0, 17)
_SQ_X = np.sign(np.cos(_SQ)) * np.abs(np.cos(_SQ)) ** 0.45
_SQ_Y = np.sign(np.sin(_SQ)) * np.abs(np.sin(_SQ)) ** 0.6


class StaticLayers:
    """The identity-only part of one face at one height, as plain attributes: the layout (in
    height units), colours, fixed-point polygons of the parts that only move by an offset, and
    ``base``, the drawn back layers. ``_build_static`` fills it; ``features`` reads it (and adds
    ``xlines``, the expression-line polygons, on first use)."""


_CACHE: "OrderedDict[tuple, StaticLayers]" = OrderedDict()
_CACHE_BYTES = [0]
#: Budget for cached static layers (bytes of base images); old entries are evicted first.
CACHE_BUDGET = 48 * 2 ** 20


def static_layers(idt: Identity, H: int) -> StaticLayers:
    """The identity-only layers of ``idt`` at height ``H``, from the LRU cache or built."""
    key = (idt, H)
    st = _CACHE.get(key)
    if st is not None:
        try:
            _CACHE.move_to_end(key)
        except KeyError:  # evicted by another thread meanwhile
            pass
        return st
    st = _build_static(idt, H)
    nbytes = st.base.nbytes
    if nbytes <= CACHE_BUDGET:
        while _CACHE and _CACHE_BYTES[0] + nbytes > CACHE_BUDGET:
            try:
                _, old = _CACHE.popitem(last=False)
            except KeyError:
                break
            _CACHE_BYTES[0] -= old.base.nbytes
        _CACHE[key] = st
        _CACHE_BYTES[0] += nbytes
    return st


def clear_cache() -> None:
    """Drop the cached per-identity layers (they are a pure function of the identity and height)."""
    _CACHE.clear()
    _CACHE_BYTES[0] = 0


def _build_static(idt: Identity, H: int) -> StaticLayers:  # noqa: C901 (a long recipe)
    """Lay out the face, pick its colours and draw the back layers (hair behind, neck, ears,
    face); precompute the fixed parts of the features."""
    st = StaticLayers()
    W = round(H * ASPECT)
    k = float(H * (1 << SHIFT))
    st.k, st.H = k, H
    st.G = G = GRIDS[1] if H >= DENSE_FROM else GRIDS[0]
    img = np.zeros((H, W, 4), np.uint8)
    m = 2.0 / H                               # margin, in height units
    cx = W / H * 0.5
    xmax = cx - m                             # the largest half-width anything may take
    st.cx = cx

    def th(frac: float) -> int:
        return max(1, int(round(frac * H)))
    st.th_line = th(0.009)
    st.th_outline = th(0.011)
    st.th_lash = th(0.019)
    st.th_mouth = th(0.013)
    st.th_nose = th(0.01)

    skin = tuple(float(v) for v in idt.skin)
    dark = (skin[0] * 0.5, skin[1] * 0.42, skin[2] * 0.4)
    st.skin, st.dark = skin, dark
    skin_c = rgba(skin)
    st.skin_c = skin_c
    st.outline_c = mix_rgba(skin, dark, 0.6)
    style = HAIR_STYLES[idt.hair_style]
    hair = idt.hair_color
    hair_c = rgba(hair)
    st.hair_c = hair_c
    st.hair_d = mix_rgba(hair, (0, 0, 0), 0.38)
    hair_back_c = mix_rgba(hair, (0, 0, 0), 0.2)
    long_style = style in ("long", "bob")

    # ---- layout (units of H) ----
    hw = min(idt.face_width * 0.5, xmax - 0.06)
    y_k = 0.47                                # widest line (cheekbones)
    y_t = idt.forehead_top
    ey = idt.eye_y
    ny = ey + 0.125 * idt.nose_length
    my = ny + idt.mouth_y
    cw = hw * idt.chin_width
    st.hw, st.y_k, st.y_t, st.ey, st.ny, st.my, st.cw = hw, y_k, y_t, ey, ny, my, cw
    st.jaw_p1 = 0.3 + 0.45 * idt.jaw_square
    st.jaw_p2 = cw + (hw - cw) * (0.25 + 0.6 * idt.jaw_width)
    jx, jy = _jaw(st, idt.chin_y)
    # the jaw drop (AU26) moves only the outline below the mouth, smoothly
    st.jx, st.jy = jx, jy
    st.jaw_w = np.maximum((jy - my) / (idt.chin_y - my), 0.0) ** 1.5   # (jy <= chin: <= 1)
    tx = hw * G.ARC_C * (1.0 - 0.06 * G.ARC_S ** 2)
    ty = y_k - (y_k - y_t) * G.ARC_S
    st.face_x = cx + np.concatenate((jx, -jx[::-1], tx[::-1][1:-1]))
    st.face_y = np.concatenate((jy, jy[::-1], ty[::-1][1:-1]))
    i0 = max(0, int(np.argmax(st.jaw_w > 0)) - 1)   # the part of the jaw that AU26 moves
    st.low_x = cx + np.concatenate((jx[i0:], -jx[i0:][::-1]))
    st.low_y = np.concatenate((jy[i0:], jy[i0:][::-1]))
    st.low_w = np.concatenate((st.jaw_w[i0:], st.jaw_w[i0:][::-1]))

    # ---- hair geometry ----
    vol = idt.hair_volume
    a_out = min(hw + vol + 0.008, xmax)
    top = max(y_t - vol * 1.1 - 0.006, m + 0.002)
    b_out = y_k - top
    hair_back, hair_front, strands = [], [], []
    hl_y = y_t + 0.035 + 0.035 * idt.hairline   # default hairline height
    part = idt.hair_part
    st.fringe = style == "fringe"
    if style != "bald":
        side_low = {"afro": 0.1, "curly": 0.04}.get(style, 0.0)
        phi0 = -math.asin(min(0.9, (ey + side_low - y_k) / b_out)) if ey + side_low > y_k else 0.0
        bumpy = style in ("curly", "afro")
        phi = phi0 + (math.pi - 2 * phi0) * (_U41 if bumpy else _U21)
        rad = 1.0
        if bumpy:
            rad = 1.0 + 0.045 * idt.hair_curl * (np.abs(np.sin(phi * (9 if style == "afro" else 7))) - 0.6)
        ox = np.minimum(np.maximum(cx + a_out * np.cos(phi) * rad, m), 2 * cx - m)
        oy = np.maximum(y_k - b_out * np.sin(phi) * rad, m)
        if long_style:
            end = idt.hair_length
            flare = max(0.0, min(0.03, xmax - a_out))
            bx = np.array([cx - a_out - flare * 0.6, cx - a_out - flare, cx - hw * 0.5, cx,
                           cx + hw * 0.5, cx + a_out + flare, cx + a_out + flare * 0.6])
            by = np.array([y_k + 0.1, end, end + 0.01, end - 0.004, end + 0.01, end, y_k + 0.1])
            hair_back.append(to_fixed(k, np.concatenate((ox, bx)), np.concatenate((oy, by))))
        else:
            hair_back.append(to_fixed(k, ox, oy))

        # front: along the outer arc right -> left, then back along the hairline left -> right
        sx = hw * 0.985
        if long_style:
            lo = idt.hair_length - 0.04 if style == "bob" else min(idt.hair_length, 0.8)
            ix = np.array([hw * 1.02, hw * 0.88, hw * 0.8, hw * 0.74, hw * 0.55,
                           part * 0.06 + (0.02 if part > 0 else 0.0),
                           -hw * 0.55, -hw * 0.74, -hw * 0.8, -hw * 0.88, -hw * 1.02])
            iy = np.array([lo, ey + 0.12, ey + 0.02, ey - 0.07, hl_y - 0.005, y_t + 0.02,
                           hl_y - 0.005, ey - 0.07, ey + 0.02, ey + 0.12, lo])
            ro = min(a_out + 0.01, xmax)
            hair_front.append(to_fixed(k, np.concatenate(([cx + ro], ox, [cx - ro], cx + ix[::-1])),
                                       np.concatenate(([lo], oy, [lo], iy[::-1]))))
        else:
            side_y = ey - 0.005 + (0.05 if style in ("afro", "curly") else 0.0)
            if style == "fringe":
                n = 17
                xs = hw * 0.86 * _SYM17
                fr = ey - idt.brow_height - 0.028 - 0.012 * idt.hairline
                ys = fr + 0.024 * (xs / hw) ** 2 - 0.007 * _ZIG[:n] + 0.01 * part * xs / hw
                ix = np.concatenate(([sx, hw * 0.9], xs, [-hw * 0.9, -sx]))
                iy = np.concatenate(([side_y, fr + 0.01], ys, [fr + 0.01, side_y]))
            else:
                if style == "receding":
                    c_y, t_y, tx_ = hl_y - 0.005, y_t + 0.005, hw * 0.6
                elif style in ("afro", "curly"):
                    c_y, t_y, tx_ = hl_y - 0.01, hl_y + 0.01, hw * 0.8
                elif style == "buzz":
                    c_y, t_y, tx_ = hl_y, hl_y + 0.018, hw * 0.8
                elif style == "bun":
                    c_y, t_y, tx_ = hl_y - 0.005, hl_y + 0.025, hw * 0.82
                else:  # short: swept towards the parting side
                    c_y, t_y, tx_ = hl_y, hl_y + 0.015, hw * 0.8
                xs = tx_ * _SYM9
                u_ = xs / tx_
                ys = c_y + (t_y - c_y) * u_ ** 2
                if style == "short":
                    ys = ys + 0.0125 * part * u_
                elif style == "receding":
                    ys = (c_y + (t_y - c_y) * (1 - np.cos(u_ * math.pi * 1.5) ** 2) * (np.abs(u_) > 0.33)
                          + 0.004 * (1 - u_ ** 2))
                ix = np.concatenate(([sx, hw * 0.93], xs, [-hw * 0.93, -sx]))
                iy = np.concatenate(([side_y, t_y + 0.04], ys, [t_y + 0.04, side_y]))
            hair_front.append(to_fixed(k, np.concatenate((ox, cx + ix[::-1])), np.concatenate((oy, iy[::-1]))))
        if style not in ("buzz", "afro", "curly"):
            for j in (-1, 0, 1):
                x0 = cx + part * 0.06 + 0.02 * j
                strands.append(to_fixed(k, [x0, x0 + 0.04 * j + 0.03 * part, cx + 0.11 * j + 0.05 * part],
                                        [top + 0.015, top + 0.04, hl_y - 0.01]))
    st.hair_front, st.strands = hair_front, strands
    st.th_hair = th(0.008)
    st.th_strand = th(0.007)
    if style == "buzz":  # short stubble hair: let the skin show through, no outline
        st.hair_front_c = mix_rgba(skin, hair, 0.7)
        st.hair_d = mix_rgba(skin, hair, 0.8)
    else:
        st.hair_front_c = hair_c

    # ---- draw the back layers: hair, bun, neck, ears, face ----
    if style == "bun":
        br = 0.06 + vol
        draw_ellipse(img, k, cx, max(top - 0.02, m + br), br * 1.1, br, hair_back_c)
    if hair_back:
        fill_polys(img, hair_back, hair_back_c if long_style else st.hair_front_c)
    if style in ("bald", "receding") and idt.hairline > 0.4:
        for s in (-1, 1):  # horseshoe remnants above the ears
            draw_ellipse(img, k, cx + s * (hw - 0.004), ey - 0.01, 0.026 + 0.2 * vol, 0.055, hair_c)
    neck_w = hw * (0.42 + 0.14 * idt.masculinity)
    nk_top, nk_bot = y_k + 0.15, 1.0 - m
    fill_polys(img, [to_fixed(k, [cx - neck_w, cx - neck_w * 1.08, cx + neck_w * 1.08, cx + neck_w],
                              [nk_top, nk_bot, nk_bot, nk_top])], mix_rgba(skin, dark, 0.25))
    if not long_style:
        er_x, er_y = 0.032 * idt.ear_size, 0.058 * idt.ear_size
        e_y = ey + 0.04
        inner = mix_rgba(skin, dark, 0.5)
        for s in (-1, 1):
            ex_ = cx + s * (hw - 0.006)
            draw_ellipse(img, k, ex_, e_y, er_x, er_y, skin_c, angle=-s * 10)
            draw_ellipse(img, k, ex_ + s * 0.008, e_y, er_x * 0.5, er_y * 0.6, inner, th(0.008),
                         -80 if s > 0 else 100, 80 if s > 0 else 260)
    fill_polys(img, [to_fixed(k, st.face_x, st.face_y)], skin_c)
    draw_polylines(img, [to_fixed(k, st.face_x, st.face_y)], st.outline_c, st.th_outline, True)
    if style == "bald":
        draw_ellipse(img, k, cx - 0.05, y_t + 0.04, 0.07, 0.025, mix_rgba(skin, (255, 255, 255), 0.18))
    img.flags.writeable = False
    st.base = img
    st.opaque = np.full((H, W), 255, np.uint8)

    # ---- features: static parts (fixed-point polygons where only an offset changes later) ----
    ew = 0.055 * idt.eye_size
    sep = idt.eye_spacing
    st.ew, st.sep = ew, sep
    tilt = idt.eye_tilt * ew
    st.eye_x = cx + SIDES * sep + SIDES * G.EX * ew                     # (2, n) left / right eye
    st.eye_x2 = np.concatenate((st.eye_x, st.eye_x[:, ::-1]), 1)
    st.eye_xl = st.eye_x[:, G.LOW]
    st.eye_off = ey - tilt * G.EX
    ri = 0.62 * ew
    st.icy = ey + 0.05 * ew
    st.iris = []
    for rr in (ri, ri * 0.46):
        px_ = cx + SIDES * sep + rr * G.CIRC_C
        u_ = np.minimum(np.maximum(SIDES * rr * G.CIRC_C / ew, -1.0), 1.0)
        e2 = 1 - u_ * u_
        st.iris.append((px_, ey - tilt * u_, e2 ** 0.8, u_ * np.sqrt(e2), e2 ** 0.9, st.icy + rr * G.CIRC_S))
    rh = max(0.16 * ri, 0.55 / H)
    st.highlights = to_fixed(k, cx + SIDES * (sep - 0.3 * ri) + rh * G.CIRC_C, st.icy - 0.38 * ri + rh * G.CIRC_S)
    st.iris_c = rgba(idt.iris_color)
    st.lash_c = mix_rgba(dark, (10, 6, 6), 0.7)
    st.lowlid_c = mix_rgba(skin, dark, 0.55)
    st.brow_c = rgba(idt.brow_color)
    # dark skin: a brow-bone highlight keeps the brows (the main expression cue) readable
    slum = luminance(skin)
    st.brow_hi = None
    if slum < 80:
        hi = tuple(min(255.0, v * 1.9 + d) for v, d in zip(skin, (14, 8, 4)))
        st.brow_hi = mix_rgba(skin, hi, min(1.0, (80 - slum) / 35))
    b0 = ey - idt.brow_height
    st.b0 = b0
    st.brow_xin = sep - ew
    st.brow_xout = sep + ew * 1.25 * idt.brow_length
    st.brow_bt = 0.028 + 0.018 * idt.brow_thickness
    st.brow_arch = 0.012 * idt.brow_arch

    st.xlines = None       # expression / age line polygons, built on first use (_expression_lines)
    st.forehead_y = b0 - 0.045

    # nose (AU9 / AU10 only lift it: an offset)
    nw = 0.031 * idt.nose_width
    st.nw = nw
    wing = ny
    nose = np.empty((3, 4, 2))
    nose[:2, :, 0] = cx + SIDES * (nw * np.array([0.7, 1.05, 0.95, 0.5]))
    nose[:2, :, 1] = wing + np.array([-0.022, -0.006, 0.008, 0.01])
    nose[2, :, 0] = cx + nw * np.array([-0.35, -0.35, 0.0, 0.35])
    nose[2, :, 1] = wing + np.array([0.014, 0.014, 0.017, 0.014])
    st.nose = to_fixed(k, nose[..., 0], nose[..., 1])
    sd = 1 if part >= 0 else -1
    st.nose_bridge = [to_fixed(k, [cx + sd * 0.014, cx + sd * 0.018, cx + sd * nw * 0.6],
                               [ey + 0.02, ny - 0.05, wing - 0.022])]
    st.nose_shadow = [to_fixed(k, cx + nw * 0.75 * G.CIRC_C, wing + 0.012 + 0.008 * G.CIRC_S)]
    st.nostrils = to_fixed(k, cx + SIDES * nw * 0.42 + 0.009 * G.CIRC_C, wing + 0.006 + 0.0055 * G.CIRC_S)
    st.nose_c = mix_rgba(skin, dark, 0.75)
    st.nose_light_c = mix_rgba(skin, dark, 0.3)
    st.nose_shadow_c = mix_rgba(skin, dark, 0.2)
    st.nostril_c = mix_rgba(skin, dark, 0.9)
    st.blush = to_fixed(k, cx + SIDES * (sep + 0.01) + 0.042 * G.CIRC_C, ey + 0.1 + 0.024 * G.CIRC_S)
    st.blush_c = (226, 112, 112)

    st.mw = 0.088 * idt.mouth_width
    st.lip_c = rgba(idt.lip_color)
    st.lip_lo_c = mix_rgba(idt.lip_color, skin, 0.25) if idt.skin_tone < 0.6 else \
        mix_rgba(idt.lip_color, (255, 200, 200), 0.08)
    st.mouth_line_c = mix_rgba(dark, (30, 8, 12), 0.5)

    # glasses
    st.glasses = []
    if idt.glasses:
        rx, ry = ew * 1.35, ew * (1.05 if idt.glasses == 1 else 0.9)
        gx = cx + SIDES * sep
        gy = ey + 0.004
        if idt.glasses == 1:
            rims = to_fixed(k, gx + rx * G.CIRC_C, gy + ry * G.CIRC_S)
        else:
            rims = to_fixed(k, gx + rx * _SQ_X, gy + ry * _SQ_Y)
        arms = [to_fixed(k, [cx - sep + rx * 0.97, cx, cx + sep - rx * 0.97], [ey - 0.004, ey - 0.01, ey - 0.004])]
        for s in (-1, 1):
            arms.append(to_fixed(k, [cx + s * (sep + rx), cx + s * hw * 0.99], [ey - 0.004, ey - 0.012]))
        st.glasses = [rims, arms, rgba(idt.glasses_color), th(0.011)]
    return st


def _jaw(st: StaticLayers, chin: float):
    """Right half of the lower face outline (cheekbone -> chin), x relative to the centre."""
    hw, y_k, cw, G = st.hw, st.y_k, st.cw, st.G
    ctrl = np.array([[hw, y_k], [hw, y_k + (chin - y_k) * st.jaw_p1], [st.jaw_p2, chin], [cw, chin]])
    jaw = G.BEZ3 @ ctrl
    return jaw[:, 0], jaw[:, 1]
