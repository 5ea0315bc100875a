"""The expression-dependent part of a shaded face, drawn over the cached identity layers from the
action-unit activations: the relief of wrinkles and bulges (lit like the skin), the jaw drop,
eyes, mouth, brows; then the front hair and glasses."""
from __future__ import annotations

import cv2
import numpy as np

from ..faces.canvas import SIDES, SHIFT, to_fixed
from ..faces.identity import Identity, luminance
from .head import Layers
from .shading import blur, cover, gauss, gauss_pair, lines, over, relief, strokes

_SCLERA = np.array((200, 192, 186), np.float32)
_CAVITY = np.array((46, 14, 18), np.float32)
_TEETH = np.array((232, 226, 212), np.float32)
_LASH = np.array((26, 20, 18), np.float32)
_ROWS3 = np.arange(3.0)[:, None]               # three parallel lines
_FH_U = np.linspace(-1.0, 1.0, 9)              # along a forehead line
_CROW = np.stack([np.array([0.5, 1.6]) * d for d in (-0.012, 0.0, 0.012)])   # crow's feet fan


def draw_expression(L: Layers, idt: Identity, a) -> tuple[np.ndarray, np.ndarray]:
    """(P, A) over ``L.band``: the identity layers there with the expression ``a`` (AU
    activations in ``AU_NAMES`` order) drawn in."""
    a1, a2, a4, a5, a6, a7, a9, a10, a12, a15, a17, a20, a23, a24, a25, a26, a41 = a
    g, st = L.gb, L.st
    H = g.H
    P, A = L.P.copy(), L.A.copy()
    cx, ey, ny, my, ew, sep, nw = st.cx, st.ey, st.ny, st.my, st.ew, st.sep, st.nw
    G = st.G
    wr = idt.wrinkles

    # ---- mouth geometry ----
    mw = st.mw
    cdx = 0.022 * a12 + 0.03 * a20 - 0.018 * a23 - 0.008 * a24 - 0.018 * a26 * (1 - a20) - 0.004 * a15
    cdy = (0.004 - 0.046 * a12 + 0.045 * a15 + 0.026 * a20 + 0.01 * a26 + 0.016 * a10 + 0.01 * a17
           + 0.012 * a24)
    mwc = mw + cdx
    base = my + cdy * G.EXA17 - (0.02 * a17 + 0.006 * a15) * G.EX2
    o_lo = max(0.0, 0.022 * a25 + 0.075 * a26 + 0.03 * a12 * a25 - 0.01 * a17 * a25)
    o_up = 0.005 * a25 + 0.008 * a20 + 0.002 * a26
    opened = o_lo + o_up + 0.03 * a10 > 0.6 / H
    if opened:
        prof = G.EX2 ** max(0.15, 0.6 - 0.45 * a20 + 0.2 * a12)
        y_ui = base - o_up * prof - (0.016 * a10) * G.EX2_025
        y_li = base + o_lo * prof
    else:
        y_ui = y_li = base
    lt = idt.lip_thickness * max(0.25, 1 - 0.6 * a23 - 0.3 * a24 - 0.3 * a12 - 0.3 * a20)
    y_uo = y_ui - (0.012 * lt) * G.EX2_05B - (0.004 * a10) * G.EX2
    y_lo = y_li + (0.016 * lt) * G.EX2_025
    mxs = cx + G.EX * mwc
    corner_y = float(base[0])

    # ---- relief: wrinkles (fine) and bulges (broad), lit like the skin ----
    fine = np.zeros((g.h, g.w), np.float32)
    broad = np.zeros((g.h, g.w), np.float32)
    f_amt = max(max(a1, a2), 0.45 * wr)
    if f_amt > 0.01:                                  # forehead lines (AU1 / AU2, age)
        y = (st.b0 - 0.05 - 0.02 * max(a1, a2) - 0.026 * _ROWS3
             - 0.014 * (a1 - 0.6 * a2) * (1 - _FH_U ** 2) + 0.008 * _FH_U ** 2)
        strokes(fine, g, cx + 0.085 * _FH_U, y, -0.7 * f_amt, 0.005)
    g_amt = max(a4, 0.3 * wr)
    if g_amt > 0.01:                                  # frown lines, brows bunched (AU4)
        strokes(fine, g, cx + SIDES * np.array([0.012, 0.009, 0.011]),
                st.b0 + 0.02 * a4 + np.array([-0.012, 0.008, 0.03]), -g_amt * 1.3, 0.009)
        strokes(fine, g, cx + np.array([-0.014, 0.0, 0.014]), st.b0 + 0.045 + 0.01 * a4 + np.array([0.0, 0.003, 0.0]),
                -a4 * 0.5, 0.006)
        broad += gauss_pair(g, cx, 0.035, st.b0 + 0.012 * a4, 0.03, 0.014) * (1.2 * a4)
    if a9 > 0.01:                                     # nose wrinkles (AU9)
        strokes(fine, g, cx + np.array([-0.022, 0.0, 0.022]), ey + 0.005 + 0.014 * _ROWS3 + np.array([0.004, 0.0, 0.004]),
                -a9, 0.007)
        strokes(fine, g, cx + SIDES * np.array([0.022, 0.036]), ey + np.array([0.005, 0.03]), -a9 * 0.8, 0.008)
    raise_ = max(a6, 0.2 * a9, 0.3 * a7)
    if raise_ > 0.01:                                 # cheeks raised, lower lids bulge (AU6)
        broad += gauss_pair(g, cx, sep + 0.03, ey + 0.085 - 0.02 * raise_, 0.045, 0.03) * (1.3 * raise_)
        broad += gauss_pair(g, cx, sep, ey + 0.032, ew * 0.9, 0.008) * (0.9 * raise_)
    if a6 > 0.01 or wr > 0.2:                         # crow's feet
        amt = max(a6, wr * 0.6)
        x0 = cx + SIDES * (sep + ew * 1.2)                          # (2, 1)
        xs = np.repeat(np.concatenate((x0, x0 + SIDES * 0.022), 1), 3, 0)  # (6, 2)
        ys = ey - 0.002 + np.tile(_CROW, (2, 1))
        strokes(fine, g, xs, ys, -amt * 0.8, 0.006)
    # deep folds with the cheek bulging over them read as a smile: full only for AU12
    n_amt = max(min(1.0, a12 + 0.35 * a10 + 0.25 * a9), 0.25 * wr)
    if n_amt > 0.01:                                  # nasolabial folds (smile, disgust, stretch; age)
        y0 = ny - 0.012 - 0.01 * a9
        y2 = corner_y + 0.03
        pts = G.BEZ2 @ np.array([[nw + 0.02, y0], [mwc + 0.035 + 0.01 * a12, (y0 + y2) * 0.5 - 0.008],
                                [mwc + 0.024, y2]])
        strokes(fine, g, cx + SIDES * pts[:, 0], pts[:, 1], -n_amt * 1.4, 0.011)
        broad += gauss_pair(g, cx, mwc + 0.045, (y0 + y2) * 0.5, 0.03, 0.035) * (0.9 * a12)
    if a15 > 0.01:                                    # corners pulled down (AU15)
        strokes(fine, g, cx + SIDES * np.array([mwc + 0.004, mwc + 0.014, mwc + 0.02]),
                corner_y + np.array([0.0, 0.022, 0.05]), -a15, 0.01)
    if a17 > 0.01:                                    # chin boss, deeper groove under the lip (AU17)
        broad += gauss(g, cx, idt.chin_y - 0.04, 0.032, 0.022) * (1.1 * a17)
        strokes(fine, g, cx + np.array([-0.03, 0.0, 0.03]), float(y_lo[G.MID]) + 0.016 + np.array([0.003, 0.0, 0.003]),
                -a17, 0.01)
    if a23 + a24 > 0.01:                              # pressed lips bulge above and below
        broad += gauss(g, cx, my - 0.025, mw * 0.9, 0.01) * (0.7 * a24 + 0.3 * a23)
    # lips are raised from the skin; mouth corners dimple
    lips = [to_fixed(g.k, np.concatenate((mxs, mxs[::-1])), np.concatenate((y_uo, y_lo[::-1])))]
    mroi = g.box(cx - mwc - 0.06, cx + mwc + 0.06, float(y_uo.min()) - 0.04, float(y_lo.max()) + 0.05)
    x0, y0, w, h = mroi
    broad[y0:y0 + h, x0:x0 + w] += cover(g, lips, mroi) * 0.3
    f = blur(fine, max(0.8, H / 110))
    dS = relief(0.4 * f + blur(broad, max(1.0, H / 60)), 1.0 * H / 100) + 0.6 * np.minimum(f, 0.0)
    if a4 > 0.01:                                     # lowered brows shade the eyes
        dS -= gauss_pair(g, cx, sep - 0.15 * ew, ey - 0.022, ew * 1.25, 0.02) * (0.4 * a4)
    P += L.alb * dS[..., None]

    # ---- jaw drop (AU26): the chin moves down, the lower face stretches ----
    drop = 0.03 * a26
    if drop * H > 0.3:
        chin = idt.chin_y
        yy = g.Y
        w_ = np.clip((yy - (my + 0.01)) / (chin - my - 0.01), 0.0, 1.0) ** 1.5
        w_ = np.where(yy > chin, np.clip(1.0 - (yy - chin) / 0.07, 0.0, 1.0), w_)
        col_w = np.clip((st.hw + 0.02 - np.abs(g.X - cx)) / 0.03, 0.0, 1.0)
        mapy = (np.arange(g.h, dtype=np.float32)[:, None] - (drop * H) * np.outer(w_, col_w)).astype(np.float32)
        mapx = np.broadcast_to(np.arange(g.w, dtype=np.float32)[None, :], (g.h, g.w)).copy()
        PA = cv2.remap(np.dstack((P, A)), mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        P, A = np.ascontiguousarray(PA[..., :3]), np.ascontiguousarray(PA[..., 3])

    _eyes(P, A, L, idt, a)
    _mouth(P, A, L, idt, a, mxs, y_ui, y_li, y_uo, y_lo, base, opened, mroi)
    _brows(P, A, L, idt, a)
    return P, A


def _sub(m: np.ndarray, roi) -> np.ndarray:
    x, y, w, h = roi
    return m[y:y + h, x:x + w]


def _eyes(P, A, L: Layers, idt: Identity, a) -> None:
    a1, a2, a4, a5, a6, a7, a9, a10, a12, a15, a17, a20, a23, a24, a25, a26, a41 = a
    g, st = L.gb, L.st
    G, H = st.G, g.H
    cx, ey, ew, sep = st.cx, st.ey, st.ew, st.sep
    tilt = idt.eye_tilt * ew
    squint = max(a6, 0.2 * a9)                               # narrowed, smiling eyes are AU6's
    hu = ew * 0.42 * idt.eye_open * max(0.12, 1 + 0.6 * a5 - 0.45 * a7 - 0.35 * squint - 0.5 * a41 - 0.15 * a4
                                        + 0.1 * a1)
    hl = ew * 0.28 * max(0.15, 1 - 0.45 * a7 - 0.55 * squint + 0.25 * a5)
    droop = 0.2 * ew * (a41 + 0.5 * a1 * (1 - a2))            # the outer upper lid sags (sadness)
    roi = g.box(cx - sep - ew * 1.5, cx + sep + ew * 1.5, ey - hu - 0.03, ey + hl + 0.02)
    x0, y0, w, h = roi
    if w <= 0 or h <= 0:
        return
    u = _sub(L.U, roi)
    yo = ey - tilt * G.EX
    yu = yo - hu * G.EX2_08 + droop * np.maximum(G.DROOP, 0) * 1.6
    yl = yo + hl * G.EX2_09
    ex = st.eye_x                                                # (2, n): left / right eye
    opening = to_fixed(g.k, np.concatenate((ex, ex[:, ::-1]), 1), np.concatenate((yu, yl[::-1])))
    mask = cover(g, list(opening), roi)
    # contents: sclera, iris, pupil, catch light (uint8 canvas, then lit)
    can = np.empty((h, w, 3), np.uint8)
    can[:] = (_SCLERA * min(1.0, 0.85 + 0.1 * L.exposure)).astype(np.uint8)
    ri = 0.72 * ew
    icy = ey + 0.04 * ew
    k16 = 1 << SHIFT
    ox, oy = g.ox + x0 + 0.5, g.oy + y0 + 0.5
    iris = tuple(int(v) for v in idt.iris_color)
    for s in (-1, 1):
        c = (int(((cx + s * sep) * H - ox) * k16), int((icy * H - oy) * k16))
        cv2.circle(can, c, max(1, int(ri * H * k16)), iris, -1, cv2.LINE_AA, SHIFT)
        cv2.circle(can, c, max(1, int(ri * H * k16)), tuple(v // 2 for v in iris), max(1, H // 90), cv2.LINE_AA, SHIFT)
        cv2.circle(can, c, max(1, int(0.45 * ri * H * k16)), (12, 9, 9), -1, cv2.LINE_AA, SHIFT)
        hc = (int(((cx + s * sep - 0.35 * ri) * H - ox) * k16), int(((icy - 0.35 * ri) * H - oy) * k16))
        cv2.circle(can, hc, max(1, int(0.2 * ri * H * k16)), (250, 250, 250), -1, cv2.LINE_AA, SHIFT)
    col = can.astype(np.float32)
    # the upper lid's shadow on the eyeball, darker corners
    xs_px = g.X[x0:x0 + w]
    lid = np.ones(w, np.float32)
    for row in (0, 1):
        order = np.argsort(ex[row])
        xo = ex[row][order]
        sel = (xs_px >= xo[0]) & (xs_px <= xo[-1])
        lid[sel] = np.interp(xs_px[sel], xo, yu[order])
    dist = np.maximum(g.Y[y0:y0 + h, None] - lid[None, :], 0.0)
    sh = 1.0 - 0.5 * np.exp(-dist / (0.22 * ew))
    corners = 1.0 - 0.25 * np.clip(np.abs(np.abs(xs_px - cx) - sep) / ew, 0, 1)[None, :] ** 2
    col *= (sh * corners)[..., None]
    over(P, A, col, mask * u, roi)
    # lash line (upper lid), softer lower lid line, lid crease shadow
    th = max(1, int(round(0.02 * H)))
    over(P, A, _LASH, lines(g, list(to_fixed(g.k, ex, yu)), th, roi) * (0.92 * u), roi)
    low = lines(g, list(to_fixed(g.k, ex[:, G.LOW], yl[G.LOW])), max(1, th // 2), roi)
    over(P, A, L.skin * 0.45, low * (0.45 * u), roi)
    gap = ew * (0.32 - 0.18 * a5 + 0.1 * a41 + 0.1 * a4)
    cr = blur(lines(g, list(to_fixed(g.k, ex[:, 1:-1], yu[1:-1] - gap)), th, roi), H / 150)
    over(P, A, L.skin * 0.5, cr * (0.55 * u), roi)


def _mouth(P, A, L: Layers, idt: Identity, a, mxs, y_ui, y_li, y_uo, y_lo, base, opened, roi) -> None:
    a1, a2, a4, a5, a6, a7, a9, a10, a12, a15, a17, a20, a23, a24, a25, a26, a41 = a
    g, st = L.gb, L.st
    G, H = st.G, g.H
    x0, y0, w, h = roi
    if w <= 0 or h <= 0:
        return
    u = _sub(L.U, roi)
    k = g.k
    mx2 = np.concatenate((mxs, mxs[::-1]))
    soft = H / 160
    lip = np.array(idt.lip_color, np.float32) * L.exposure
    up = blur(cover(g, [to_fixed(k, mx2, np.concatenate((y_uo, y_ui[::-1])))], roi), soft)
    lo = blur(cover(g, [to_fixed(k, mx2, np.concatenate((y_li, y_lo[::-1])))], roi), soft)
    mid_lo = float(y_lo[G.MID] + y_li[G.MID]) * 0.5
    sheen = np.outer(np.exp(-((g.Y[y0:y0 + h] - mid_lo + 0.003) / 0.006) ** 2),
                     np.exp(-((g.X[x0:x0 + w] - st.cx) / 0.03) ** 2))
    over(P, A, lip * 0.8, up * (0.7 * u), roi)
    over(P, A, lip[None, None, :] * (0.9 + 0.1 * sheen[..., None]), lo * (0.7 * u), roi)
    if opened:
        inner = cover(g, [to_fixed(k, mx2, np.concatenate((y_ui, y_li[::-1])))], roi) * u
        over(P, A, _CAVITY, inner, roi)
        th_up = max(0.0, 0.028 - 0.008 * a26 - 0.024 * a10 + 0.006 * a12 - 0.028 * a20)
        polys = [to_fixed(k, mx2, np.concatenate((y_ui, np.minimum(y_ui + max(th_up, 0.5 / H), y_li)[::-1])))]
        lo_t = 0.002 * a26
        if lo_t > 0.001:
            polys.append(to_fixed(k, mx2, np.concatenate((np.maximum(y_li - lo_t, y_ui), y_li[::-1]))))
        teeth = cover(g, polys, roi)
        fall = 1.0 - 0.55 * np.clip(np.abs(g.X[x0:x0 + w] - st.cx) / max(float(mxs[-1] - st.cx), 1e-3), 0, 1) ** 2
        over(P, A, _TEETH[None, None, :] * fall[None, :, None] * min(1.0, 0.85 + 0.1 * L.exposure), teeth * inner, roi)
        edge = lines(g, [to_fixed(k, mx2, np.concatenate((y_ui, y_li[::-1])))], max(1, H // 80), roi, closed=True)
        over(P, A, _CAVITY * 0.8, edge * (0.7 * u), roi)
    else:
        line = lines(g, [to_fixed(k, mxs, base)], max(1, int(round(0.012 * H))), roi)
        over(P, A, lip * 0.3, blur(line, soft) * (0.75 * u), roi)


def _brows(P, A, L: Layers, idt: Identity, a) -> None:
    a1, a2, a4, a5, a6, a7, a9, a10, a12, a15, a17, a20, a23, a24, a25, a26, a41 = a
    g, st = L.gb, L.st
    G, H = st.G, g.H
    bt = st.brow_bt * (1.1 + 0.35 * a4)
    b0 = st.b0
    x_in = st.brow_xin - 0.022 * a4 + 0.004 * a1
    x_out = st.brow_xout
    y_in = b0 + 0.006 + 0.06 * a4 - 0.055 * a1 + 0.016 * a9
    y_pk = b0 - 0.008 - st.brow_arch + 0.026 * a4 - 0.022 * a1 - 0.04 * a2 + 0.008 * a9
    y_out = b0 + 0.01 + 0.008 * a4 - 0.004 * a1 + 0.014 * a1 * (1 - a2) - 0.036 * a2 - 0.002 * a9
    y_c = 2 * y_pk - 0.5 * (y_in + y_out)
    x_c = x_in + (x_out - x_in) * 0.6
    bx = G.BEZ2X[0] * x_in + G.BEZ2X[1] * x_c + G.BEZ2X[2] * x_out
    by = G.BEZ2X[0] * y_in + G.BEZ2X[1] * y_c + G.BEZ2X[2] * y_out + bt * G.BROW_HALF
    roi = g.box(st.cx - x_out - 0.02, st.cx + x_out + 0.02, float(by.min()) - 0.02, float(by.max()) + 0.02)
    if roi[2] <= 0 or roi[3] <= 0:
        return
    cov = blur(cover(g, list(to_fixed(g.k, st.cx + SIDES * bx, by)), roi), H / 140)
    col = np.array(idt.brow_color, np.float32) * min(L.exposure, 1.3)
    col = col * min(1.0, 0.5 * luminance(L.skin) / max(luminance(col), 1.0))   # brows read darker than skin
    over(P, A, col, cov * (0.93 * _sub(L.brow_u, roi)), roi)
