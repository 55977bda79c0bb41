"""Rules: the ruled, margin and grid lines of the paper, taken out of the ink mask.

Ruled, margin and grid lines are long thin runs: an opening with a long kernel finds them (on a copy
thickened across the line, so a slightly tilted rule still has long runs), and within a line only
the pixels of strokes thicker than the line survive, so a digit the line crosses or touches comes
out whole; a stroke lying along a line (the bar of a 4 on a rule) comes back where the line holds
far more ink than nearby. In a dim frame full of noise, lines are looked for where ink runs along
them, so specks do not join them into bands too wide to be lines.
"""

from __future__ import annotations

import cv2
import numpy as np

# of the sheet's width (height for vertical lines): rules run across the page, further than the
# bottoms of a row of digits on one baseline; a margin turned with the page is found in pieces
LINE_LENGTH = (0.5, 0.3)
LINE_SLACK = 3  # px the mask is thickened across a line before the opening: tilted rules pass
MAX_LINE_THICKNESS = 0.02  # of the frame's shorter side (at least MIN_LINE_PX): thicker is a stroke
MIN_LINE_PX = 3
LINE_GAP = 11  # px: breaks this short in a faint line are bridged
NOISE_RUN = 5  # px: a line's pixels have ink on most of this many pixels along it (noise not)
SPECKLED = 0.15  # of the faint ink: this much in specks, it is a dim frame's noise
TILT_FINE = (-1.0, 1.0)  # degrees around the best of TILT_ANGLES, tried next
TILT_ANGLES = tuple(float(a) for a in range(-12, 13, 2))  # how slanted a photo's rules may be
TILT_SAMPLE = 3000  # ink pixels enough to find the slant
MIN_TURN = 0.75  # degrees: less slant than this, the mask is used as it is
LINE_EVIDENCE = 0.5  # of the sheet's width (height): ink in one row (column) that may be a line
STROKE_MARGIN = 3  # px: a run this much longer than the line is wide is a stroke crossing it, kept
DOUBLE_LINE = 0.6  # of the places along a line: two runs across there, it is a double line
LINE_WIDTH_RANK = 90  # percentile of a line's width along it: a blurred line's width varies
ALONG_RUN = 7  # px: removed pixels in a run this long along a direction belong to a line that way
ACROSS_WINDOW = 7  # px: ink is added up across a line over this many pixels
LINE_NEIGHBOURHOOD = 61  # px along the line (at least; a quarter of the image): what it holds
STROKE_ON_LINE = 2.0  # times the line's own ink across it: a pen stroke lies along the line there
PEN_DARK = 0.75  # of the pen's median ink: a stroke on a line is at least this dark


def strokes_on_lines(ink: np.ndarray, clean: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Pixels taken out as lines that are a pen stroke lying along the line (the bar of a 4 on a
    rule): across the line there, the ink adds up to much more than the same line holds nearby.

    The pen need not be darker than the rule overall (a blue pen on blue rules): the test is local,
    against the line on either side of the stroke, so uneven light and faded rules do not matter.
    What the line holds nearby is a grey opening along it: the lowest the line is over a stretch
    longer than a digit's bar, so a stroke shorter than that stands out above it.
    """
    out = np.zeros_like(lines)
    weight = ink.astype(np.float32)
    stretch = max(LINE_NEIGHBOURHOOD, max(ink.shape) // 4)
    for horizontal in (True, False):
        along = (ALONG_RUN, 1) if horizontal else (1, ALONG_RUN)  # (w, h)
        own = cv2.morphologyEx(lines, cv2.MORPH_OPEN, np.ones(along[::-1], np.uint8))
        if not own.any():
            continue
        on = own > 0
        across = (1, ACROSS_WINDOW) if horizontal else (ACROSS_WINDOW, 1)
        total = cv2.boxFilter(weight * on, -1, across, normalize=False)  # ink across the line
        window = (stretch, ACROSS_WINDOW) if horizontal else (ACROSS_WINDOW, stretch)
        kernel = np.ones(window[::-1], np.uint8)
        lowest = cv2.erode(np.where(on, total, np.float32(np.inf)), kernel)
        usual = cv2.dilate(np.where(on, lowest, np.float32(0)), kernel)
        out |= ((total > STROKE_ON_LINE * usual) & on).astype(np.uint8) * 255
    if out.any() and clean.any():  # as dark as the pen: not a rule blurred wider beside a digit
        out[ink < PEN_DARK * float(np.median(ink[clean > 0]))] = 0
    if not out.any():
        return out
    # a stroke on a line belongs to a digit: it touches ink that is not line
    count, labels = cv2.connectedComponents(out, connectivity=8)
    touching = np.unique(labels[(cv2.dilate(clean, np.ones((3, 3), np.uint8)) > 0) & (out > 0)])
    keep = np.zeros(count, bool)
    keep[touching[touching > 0]] = True
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def remove_lines(mask: np.ndarray, sheet: np.ndarray | None = None, min_line: int = 0,
                 max_width: int = 0,
                 faint: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The mask without long thin horizontal and vertical lines, and the pixels removed.

    `faint` is the ink at a lower threshold: a thin rule, broken into dashes in the mask, is
    still whole there, so lines are looked for in it (and only taken out of the mask).
    """
    faint = mask if faint is None else faint
    span = mask.shape[::-1]
    if sheet is not None:
        span = cv2.boundingRect(sheet.view(np.uint8))[2:]
    thick = max_width or max(MIN_LINE_PX, int(round(MAX_LINE_THICKNESS * min(mask.shape))))
    lengths = tuple(max(min_line, int(share * side))
                    for share, side in zip(LINE_LENGTH, span, strict=True))
    fill = tuple(int(LINE_EVIDENCE * side) for side in span)
    if not _thin_enough(faint, fill, thick):
        return mask, np.zeros_like(mask)
    angle = _slant_of_lines(faint, fill)
    if angle is None:  # no row or column holds enough ink for a line: nothing to take out
        return mask, np.zeros_like(mask)
    noisy = _speckled(faint)
    if abs(angle) < MIN_TURN:
        return _remove_straight(mask, faint, lengths, thick, noisy)
    # rules photographed at a slant: find them on a copy turned level, take them out of the mask
    h, w = mask.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    level, level_faint = (cv2.warpAffine(m, turn, (w, h), flags=cv2.INTER_NEAREST)
                          for m in (mask, faint))
    _, tilted = _remove_straight(level, level_faint, lengths, thick, noisy)
    if not tilted.any():
        return _remove_straight(mask, faint, lengths, thick, noisy)
    back = cv2.warpAffine(tilted, cv2.invertAffineTransform(turn), (w, h), flags=cv2.INTER_LINEAR)
    gone = cv2.bitwise_and(mask, np.where(back > 0, 255, 0).astype(np.uint8))
    return cv2.bitwise_and(mask, cv2.bitwise_not(gone)), gone


def remove_underlines(mask: np.ndarray, length: int, thick: int) -> tuple[np.ndarray, np.ndarray]:
    """remove_lines for the horizontal lines of one row of writing (an underline, a line drawn
    through or over the number): at least `length` px long and `thick` px wide, found level."""
    return _remove_straight(mask, mask, (length, 0), thick, False, bridge=False)


def _thin_enough(mask: np.ndarray, fill: tuple[int, int], thick: int) -> bool:
    """Whether the mask holds enough thin ink for ruled lines at all (a quick look before the
    slant): a line at most `thick` wide leaves nothing under an opening one pixel thicker across
    it. (A margin line alone, without rules, is left to the marks stage: a long straight stroke.)"""
    wide = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((thick + 1, 1), np.uint8))
    return cv2.countNonZero(mask) - cv2.countNonZero(wide) >= fill[0]


def _speckled(mask: np.ndarray) -> bool:
    """Whether a mask is full of noise: many of its pixels are specks, with no ink beside them
    along a row or a column (a line's pixels, even a dashed line's, have)."""
    on = mask > 0
    ones = on.view(np.uint8)
    across = cv2.boxFilter(ones, cv2.CV_16U, (3, 1), normalize=False)
    down = cv2.boxFilter(ones, cv2.CV_16U, (1, 3), normalize=False)
    alone = np.count_nonzero(on & (across <= 1) & (down <= 1))
    return alone > SPECKLED * max(np.count_nonzero(on), 1)


def _slant_of_lines(mask: np.ndarray, fill: tuple[int, int]) -> float | None:
    """The angle (degrees) that levels the mask's lines, or None when it holds none: no row (or
    column) of the turned mask holds `fill` (across, along) ink pixels.

    Ink pixels are projected on the rows (and columns) of the mask turned by each candidate
    angle: a line puts a long run of them into one row; digits never fill a row that much.
    """
    if cv2.countNonZero(mask) < min(fill):
        return None
    points = cv2.findNonZero(mask).reshape(-1, 2)  # (x, y), several times faster than numpy's
    step = max(1, len(points) // TILT_SAMPLE)
    weight = float(step)  # each pixel kept stands for this many pixels of a row or column
    xs = points[::step, 0].astype(np.float32) - mask.shape[1] / 2
    ys = points[::step, 1].astype(np.float32) - mask.shape[0] / 2

    def fullest(angles: list[float], rows: bool) -> np.ndarray:
        """The most ink any row (column) holds, turned by each angle."""
        t = np.tan(np.radians(np.asarray(angles, np.float32)))[:, None]
        bins = np.round((ys - xs * t) if rows else (xs + ys * t)).astype(np.int64)
        bins -= bins.min(axis=1, keepdims=True)
        size = int(bins.max()) + 1
        counts = np.bincount((bins + size * np.arange(len(angles))[:, None]).ravel(),
                             minlength=size * len(angles))
        return counts.reshape(len(angles), size).max(axis=1) * weight

    tried = dict(zip(TILT_ANGLES, fullest(list(TILT_ANGLES), True), strict=True))
    best = max(tried, key=tried.get)
    near = [best + d for d in TILT_FINE]  # then every degree around the best
    tried.update(zip(near, fullest(near, True), strict=True))
    best = max(tried, key=tried.get)
    if tried[0.0] >= tried[best]:
        best = 0.0
    if tried[best] >= fill[0]:
        return best
    angles = sorted({best, 0.0})  # vertical lines only (a margin): turned like the page
    for angle, most in zip(angles, fullest(angles, False), strict=True):
        if most >= fill[1]:
            return angle
    return None


def _remove_straight(mask: np.ndarray, faint: np.ndarray, lengths: tuple[int, int],
                     thick: int, noisy: bool, bridge: bool = True
                     ) -> tuple[np.ndarray, np.ndarray]:
    """remove_lines for lines that run along the rows and the columns of the mask."""
    removed = np.zeros_like(mask)
    clean = mask
    for horizontal in (True, False):
        found = _lines(faint, lengths[0 if horizontal else 1], thick, horizontal, noisy, bridge)
        if found is None:
            continue
        line, width = found
        line = cv2.bitwise_and(line, clean)
        # a stroke crossing the line is a run across it longer than the line is wide
        across = (1, width + STROKE_MARGIN) if horizontal else (width + STROKE_MARGIN, 1)
        strokes = cv2.morphologyEx(clean, cv2.MORPH_OPEN, np.ones(across[::-1], np.uint8))
        gone = cv2.bitwise_and(line, cv2.bitwise_not(strokes))
        clean = cv2.bitwise_and(clean, cv2.bitwise_not(gone))
        removed |= gone
    return clean, removed


def _lines(mask: np.ndarray, length: int, thick: int, horizontal: bool,
           noisy: bool = False, bridge: bool = True) -> tuple[np.ndarray, int] | None:
    """Pixels of long thin lines in one direction and their typical width, or None; in a `noisy`
    mask lines are found where ink runs along the direction (the noise would join them up);
    `bridge` closes a faint line's breaks (not for lines as short as a few digits: their bars
    and strokes would be joined into one)."""
    if length < 8:
        return None
    slack = (1, LINE_SLACK) if horizontal else (LINE_SLACK, 1)  # (w, h) of the kernel
    along = (length, 1) if horizontal else (1, length)
    grown = cv2.dilate(_runs_along(mask, horizontal) if noisy else mask,
                       np.ones(slack[::-1], np.uint8))
    if bridge and not noisy:  # in noise, bridging would join specks into lines
        bridge = (LINE_GAP, 1) if horizontal else (1, LINE_GAP)  # a faint line's breaks closed
        grown = cv2.morphologyEx(grown, cv2.MORPH_CLOSE, np.ones(bridge[::-1], np.uint8))
    kernel = np.ones(along[::-1], np.uint8)
    runs = cv2.erode(grown, kernel)  # an opening, its second half only when there is a line
    if not runs.any():
        return None
    runs = cv2.dilate(runs, kernel)
    band = cv2.dilate(runs, np.ones(slack[::-1], np.uint8))
    line = cv2.bitwise_and(mask, band)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(band, connectivity=8)
    keep = np.zeros(count, bool)
    widths = []
    extents = stats[:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT]
    pixels, runs = _across(np.where(line > 0, labels, 0), count, horizontal)
    for i in np.flatnonzero(extents[1:] >= length) + 1:
        across = _line_widths(pixels[i], runs[i])
        if not across.size:
            continue
        typical = _quantile(across, 50)  # columns where a digit sits on the line are wider
        if typical <= thick:  # a blurred line is wider in places: remove it that wide
            keep[i] = True
            widths.append(min(_quantile(across[across <= 2 * typical], LINE_WIDTH_RANK),
                              thick + STROKE_MARGIN))
    if not widths:
        return None
    line = np.where(keep[labels], line, 0).astype(np.uint8)
    return line, max(1, int(np.ceil(max(widths))))


def _runs_along(mask: np.ndarray, horizontal: bool) -> np.ndarray:
    """The mask where most of the pixels around, along the direction, are ink: a line, even a
    thin one, is all ink along itself; a dim frame's noise is specks, gone here."""
    window = (NOISE_RUN, 1) if horizontal else (1, NOISE_RUN)
    share = cv2.blur(mask, window)
    return np.where(share > 127, mask, 0).astype(np.uint8)


def _across(labelled: np.ndarray, count: int, horizontal: bool
            ) -> tuple[np.ndarray, np.ndarray]:
    """For each label of a labelled line image, at each place along the direction: how many of
    its pixels lie across the line there, and in how many separate runs. (count, places) each."""
    across = labelled if horizontal else labelled.T  # axis 0 runs across the line
    places = across.shape[1]
    before = np.zeros_like(across)
    before[1:] = across[:-1]
    on = across > 0
    place = np.broadcast_to(np.arange(places), across.shape)
    starts = on & (across != before)

    def tally(where: np.ndarray) -> np.ndarray:
        return np.bincount(across[where] * places + place[where],
                           minlength=count * places).reshape(count, places)

    return tally(on), tally(starts)


def _line_widths(pixels: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """A line's width at each place along it; a double line (a margin drawn twice: two runs
    across at most places) counts the width of each of its two lines, not of both."""
    inked = runs > 0
    pixels, runs = pixels[inked], runs[inked]
    if pixels.size and np.count_nonzero(runs == 2) >= DOUBLE_LINE * pixels.size:
        return pixels / runs
    return pixels


def _quantile(values: np.ndarray, q: float) -> float:
    """np.percentile(values, q) (linear), without its overhead: called for every line found."""
    ordered = np.sort(values, kind="stable")
    at = q / 100.0 * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (at - low) * (ordered[high] - ordered[low]))
