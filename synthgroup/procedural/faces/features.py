"""The expression-dependent part of a face: brows, lids, eyes, mouth, lines and the jaw drop,
drawn over the cached back layers from the action-unit activations."""
from __future__ import annotations

import numpy as np

from .canvas import SIDES, draw_polylines, fill_polys, mix_rgba, to_fixed
from .head import StaticLayers
from .identity import Identity


_FH_X = np.array([[-0.085, -0.04, 0.0, 0.04, 0.085]]) * np.array([[1.0], [0.85]])
_CROW = np.array([[-0.012, 0.0, 0.012]])     # crow's feet fan

_SCLERA = (246, 244, 240, 255)
_TEETH = (248, 246, 236, 255)
_MOUTH = (78, 18, 26, 255)
_PUPIL = (14, 10, 10, 255)
_WHITE = (255, 255, 255, 255)


def _expression_lines(st: StaticLayers, idt: Identity) -> tuple:
    """Fixed-point polygons of the frown lines, nose wrinkles, chin line, eye bags, crow's feet."""
    k, cx, ey, ew, sep = st.k, st.cx, st.ey, st.ew, st.sep
    tilt = idt.eye_tilt * ew
    frown = to_fixed(k, cx + SIDES * np.array([0.013, 0.011, 0.014]), st.b0 + np.array([-0.012, 0.0, 0.016]))
    yb = ey + 0.005
    nose_wrinkles = np.concatenate((
        to_fixed(k, cx + SIDES * np.array([0.012, 0.022, 0.034]), yb + np.array([0.002, 0.008, 0.02])),
        to_fixed(k, np.array([[cx - 0.014, cx, cx + 0.014]]), yb + np.array([-0.002, -0.005, -0.002]))))
    yc = idt.chin_y - 0.045
    chin_line = to_fixed(k, np.array([[cx - 0.03, cx, cx + 0.03]]), np.array([yc, yc - 0.006, yc]))
    bags = to_fixed(k, cx + SIDES * (sep + np.array([-0.5, 0.0, 0.6]) * ew),
                    ey + tilt * np.array([0.5, 0.0, -0.6]) + np.array([0.014, 0.022, 0.012]))
    ox0 = cx + SIDES * (sep + ew * 1.15)                                          # (2, 1)
    crow = np.empty((2, 3, 2, 2))
    crow[..., 0, 0] = ox0
    crow[..., 1, 0] = ox0 + SIDES * 0.022
    crow[..., 0, 1] = ey - tilt + _CROW * 0.5
    crow[..., 1, 1] = ey - tilt + _CROW * 1.6
    crows = to_fixed(k, crow[..., 0], crow[..., 1]).reshape(6, 2, 2)
    return frown, nose_wrinkles, chin_line, bags, crows


def draw_features(img: np.ndarray, st: StaticLayers, idt: Identity, a) -> None:  # noqa: C901
    """Draw the action-unit driven parts; ``a`` is the AU activations in ``AU_NAMES`` order."""
    a1, a2, a4, a5, a6, a7, a9, a10, a12, a15, a17, a20, a23, a24, a25, a26, a41 = a
    k, cx, G = st.k, st.cx, st.G
    skin, dark = st.skin, st.dark
    ey, ny, my = st.ey, st.ny, st.my
    ew, nw = st.ew, st.nw
    wr = idt.wrinkles
    th_l = st.th_line

    def off(dy):  # a vertical offset in fixed point
        return np.array((0, int(round(dy * k))), np.int32)

    # jaw drop (AU26): the lower face is redrawn, the chin lower
    drop = 0.028 * a26
    chin = idt.chin_y + drop
    if drop > 0:
        low = to_fixed(k, st.low_x, st.low_y + drop * st.low_w)
        fill_polys(img, [low], st.skin_c)
        draw_polylines(img, [low], st.outline_c, st.th_outline)

    # blush / cheeks, raised by AU6
    if idt.blush > 0.02 or a6 > 0:
        bcol = mix_rgba(skin, st.blush_c, idt.blush + 0.12 * a6 * (1 - idt.skin_tone * 0.6))
        fill_polys(img, st.blush + off(-0.02 * a6) if a6 > 0 else st.blush, bcol)

    # ---- expression and age lines ----
    f_amt = max(0.85 * max(a1, a2), 0.45 * wr)
    if f_amt > 0.01 and not st.fringe:   # forehead lines (AU1 / AU2, age)
        by0 = st.forehead_y - 0.03 * max(a1, a2)
        curv = 0.012 * (a1 - a2)          # inner brow raise bends them up in the middle
        ys = np.array([0.006, 0.0, -curv, 0.0, 0.006])
        draw_polylines(img, to_fixed(k, cx + _FH_X, np.array([[by0], [by0 - 0.026]]) + ys),
                       mix_rgba(skin, dark, f_amt * 0.6), th_l)
    g_amt = max(a4, 0.3 * wr)
    bag = max(a6 * 0.8, 0.4 * wr)
    xl = st.xlines
    if xl is None and (g_amt > 0.01 or a9 > 0.01 or a17 > 0.01 or bag > 0.01):
        xl = st.xlines = _expression_lines(st, idt)
    if g_amt > 0.01:                      # vertical frown lines between the brows (AU4)
        draw_polylines(img, xl[0] + off(0.02 * a4), mix_rgba(skin, dark, g_amt * 0.5), th_l)
    if a9 > 0.01:                         # nose wrinkles (AU9)
        draw_polylines(img, xl[1], mix_rgba(skin, dark, a9 * 0.75), th_l)

    # mouth geometry (the folds need it)
    mw = st.mw
    cdx = 0.02 * a12 + 0.032 * a20 - 0.014 * a23 - 0.006 * a24 - 0.026 * a26 * (1 - a20) - 0.006 * a15
    cdy = -0.034 * a12 + 0.03 * a15 + 0.008 * a20 + 0.012 * a26 + 0.006 * a10
    mwc = mw + cdx
    base = (my + cdy * G.EXA17) - (0.012 * a17) * G.EX2
    o_lo = max(0.0, 0.02 * a25 + 0.075 * a26 + 0.035 * a12 * a25 - 0.01 * a17 * a25)
    o_up = 0.006 * a25 + 0.006 * a20 + 0.002 * a26
    opened = o_lo + o_up + 0.03 * a10 > 0.5 / st.H
    if opened:
        prof = G.EX2 ** max(0.25, 0.6 - 0.4 * a20)
        y_ui = base - o_up * prof - (0.038 * a10) * G.EX2_025
        y_li = base + o_lo * prof
    else:
        y_ui = y_li = base
    lt_s = idt.lip_thickness * max(0.25, 1 - 0.55 * a23 - 0.25 * a24 - 0.25 * a12 - 0.25 * a20)
    y_uo = y_ui - (0.011 * lt_s) * G.EX2_05B - (0.004 * a10) * G.EX2
    y_lo = y_li + (0.016 * lt_s) * G.EX2_06
    mxs = cx + G.EX * mwc
    corner_y = float(base[0])

    n_amt = max(min(1.0, 0.9 * a12 + 0.8 * a10 + 0.5 * a9 + 0.3 * a20), 0.45 * wr)
    if n_amt > 0.01:                      # nasolabial folds (smile, disgust, stretch; age)
        y0 = ny - 0.012 - 0.01 * a9
        y2 = corner_y + 0.028
        pts = G.BEZ2 @ np.array([[nw + 0.02, y0], [mwc + 0.03 + 0.01 * a12, (y0 + y2) * 0.5 - 0.005],
                                [mwc + 0.022, y2]])
        draw_polylines(img, to_fixed(k, cx + SIDES * pts[:, 0], pts[:, 1]), mix_rgba(skin, dark, n_amt * 0.65), th_l)
    if a17 > 0.01:                        # chin boss (AU17)
        draw_polylines(img, xl[2] + off(drop), mix_rgba(skin, dark, a17 * 0.3), th_l)

    # eye geometry
    hu = ew * 0.52 * idt.eye_open * (1 + 0.8 * a5) * (1 - 0.22 * a7) * (1 - 0.3 * a6) \
        * (1 - 0.4 * a41) * (1 - 0.2 * a9)
    hl = ew * 0.42 * max(0.12, 1 - 0.6 * a7 - 0.55 * a6 - 0.35 * a9 + 0.25 * a5)
    droop = 0.22 * ew * a1 * (1 - a2) + 0.1 * ew * a41
    yu = st.eye_off - hu * G.EX2_08
    if droop > 0:
        yu = yu + droop * G.DROOP
    yl = st.eye_off + hl * G.EX2_09
    if bag > 0.01:                        # cheek bulge under the eyes (AU6) / age bags, crow's feet
        draw_polylines(img, xl[3] + off(hl), mix_rgba(skin, dark, bag * 0.7), th_l)
        draw_polylines(img, xl[4], mix_rgba(skin, dark, max(a6 * 0.7, 0.5 * wr) * 0.7), th_l)

    # ---- beard (under the mouth) ----
    if idt.beard:
        hair_c = st.hair_c
        if idt.beard == 3:   # goatee: a rounded patch from under the lower lip to the chin
            yt = float(y_lo[G.MID]) - 0.004
            gx = np.array([0.0, mw * 0.45, mw * 0.62, mw * 0.6, mw * 0.42, 0.0])
            gy = np.array([yt, yt + 0.002, (yt + chin) * 0.5, chin - 0.012, chin + 0.0, chin + 0.006])
            goatee = to_fixed(k, cx + np.concatenate((gx, -gx[::-1])), np.concatenate((gy, gy[::-1])))
            fill_polys(img, [goatee], hair_c)
        else:
            jx, jy = st.jx, st.jy + drop * st.jaw_w
            sel = jy > ey + 0.11
            ox_, oy_ = jx[sel] * 1.02, jy[sel] + 0.004
            hw = st.hw
            bxs = np.concatenate((ox_, -ox_[::-1], [-hw * 0.97, -mw - 0.03, -nw - 0.01, nw + 0.01,
                                                     mw + 0.03, hw * 0.97]))
            bys = np.concatenate((oy_, oy_[::-1], [ey + 0.11, ny + 0.05, ny + 0.022, ny + 0.022,
                                                    ny + 0.05, ey + 0.11]))
            if idt.beard == 2:
                col = hair_c
            else:  # stubble: a shadow, always darker than the skin
                hc = idt.hair_color
                col = mix_rgba(skin, tuple(min(h, s * 0.55) for h, s in zip(hc, skin)), 0.45)
            fill_polys(img, [to_fixed(k, cx + bxs, bys)], col)

    # ---- nose ----
    lift = 0.01 * a9 + 0.005 * a10
    o = off(-lift) if lift > 0 else None
    if o is None:
        fill_polys(img, st.nose_shadow, st.nose_shadow_c)
        draw_polylines(img, st.nose, st.nose_c, st.th_nose)
        fill_polys(img, st.nostrils, st.nostril_c)
    else:
        fill_polys(img, [st.nose_shadow[0] + o], st.nose_shadow_c)
        draw_polylines(img, st.nose + o, st.nose_c, st.th_nose)
        fill_polys(img, st.nostrils + o, st.nostril_c)
    draw_polylines(img, st.nose_bridge, st.nose_light_c, st.th_nose)

    # ---- eyes: sclera, iris and pupil clipped to the lids, lash line ----
    fill_polys(img, to_fixed(k, st.eye_x2, np.concatenate((yu, yl[::-1]))), _SCLERA)
    for (px_, yo, e08, dr, e09, py0), col in zip(st.iris, (st.iris_c, _PUPIL)):
        top = yo - hu * e08
        if droop > 0:
            top = top + droop * dr
        fill_polys(img, to_fixed(k, px_, np.minimum(np.maximum(py0, top), yo + hl * e09)), col)
    if hu > 0.3 * ew:
        fill_polys(img, st.highlights, _WHITE)
    draw_polylines(img, to_fixed(k, st.eye_x, yu), st.lash_c, st.th_lash)
    draw_polylines(img, to_fixed(k, st.eye_xl, yl[G.LOW]), st.lowlid_c, th_l)

    # ---- mouth ----
    mx2 = np.concatenate((mxs, mxs[::-1]))
    fill_polys(img, [to_fixed(k, mx2, np.concatenate((y_uo, y_ui[::-1])))], st.lip_c)
    fill_polys(img, [to_fixed(k, mx2, np.concatenate((y_li, y_lo[::-1])))], st.lip_lo_c)
    if opened:
        inner = to_fixed(k, mx2, np.concatenate((y_ui, y_li[::-1])))
        fill_polys(img, [inner], _MOUTH)
        th_up = 0.03 - 0.01 * a26 + 0.012 * a10
        teeth = [to_fixed(k, mx2, np.concatenate((y_ui, np.minimum(y_ui + th_up, y_li)[::-1])))]
        lo_t = 0.018 * a20 + 0.006 * a26
        if lo_t > 0.001:
            teeth.append(to_fixed(k, mx2, np.concatenate((np.maximum(y_li - lo_t, y_ui), y_li[::-1]))))
        fill_polys(img, teeth, _TEETH)
        draw_polylines(img, [inner], st.mouth_line_c, st.th_mouth, True)
    else:
        draw_polylines(img, [to_fixed(k, mxs, base)], st.mouth_line_c, st.th_mouth)
    c_mov = 0.03 * a15 - 0.034 * a12
    acc = min(1.0, abs(c_mov) / 0.025)
    if acc > 0.05:                        # corner accents: smile (AU12) / frown (AU15) hooks
        d = -0.008 if c_mov < 0 else 0.008
        hooks = to_fixed(k, cx + SIDES * np.array([mwc * 0.97, mwc + 0.012]), [corner_y, corner_y + d])
        draw_polylines(img, hooks, mix_rgba(skin, dark, acc * 0.9), th_l)
    if idt.moustache:
        mxm = cx + G.EX * (mwc + 0.012)
        bot_m = y_uo + 0.004 + 0.008 * G.EXSQ
        top_m = np.maximum(bot_m - 0.03 * (1 - 0.75 * G.EXSQ), ny + 0.014)
        moustache = to_fixed(k, np.concatenate((mxm, mxm[::-1])), np.concatenate((top_m, bot_m[::-1])))
        fill_polys(img, [moustache], st.hair_c)

    # ---- hair in front, then brows (over a fringe, so expressions stay readable), glasses ----
    if st.hair_front:
        fill_polys(img, st.hair_front, st.hair_front_c)
        draw_polylines(img, st.hair_front, st.hair_d, st.th_hair, True)
        if st.strands:
            draw_polylines(img, st.strands, st.hair_d, st.th_strand)
    bt = st.brow_bt * (1 + 0.1 * a4)
    b0 = st.b0
    x_in = st.brow_xin - 0.016 * a4 + 0.004 * a1
    x_out = st.brow_xout
    y_in = b0 + 0.006 + 0.036 * a4 - 0.042 * a1 + 0.016 * a9
    y_pk = b0 - 0.008 - st.brow_arch + 0.016 * a4 - 0.02 * a1 - 0.036 * a2 + 0.008 * a9
    y_out = b0 + 0.01 + 0.006 * a4 - 0.004 * a1 + 0.01 * a1 * (1 - a2) - 0.034 * a2 - 0.002 * a9
    y_c = 2 * y_pk - 0.5 * (y_in + y_out)
    x_c = x_in + (x_out - x_in) * 0.6
    bx = G.BEZ2X[0] * x_in + G.BEZ2X[1] * x_c + G.BEZ2X[2] * x_out          # outline, there and back
    by = G.BEZ2X[0] * y_in + G.BEZ2X[1] * y_c + G.BEZ2X[2] * y_out + bt * G.BROW_HALF
    if st.brow_hi is not None:
        fill_polys(img, to_fixed(k, cx + SIDES * bx, by - bt * 0.55), st.brow_hi)
    fill_polys(img, to_fixed(k, cx + SIDES * bx, by), st.brow_c)
    if st.glasses:
        rims, arms, gcol, gth = st.glasses
        draw_polylines(img, rims, gcol, gth, True)
        draw_polylines(img, arms, gcol, gth)
