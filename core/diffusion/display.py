"""Images for the page: 32x32 samples enlarged with nearest-neighbour pixels (so students see the real pixels,
not a blur), batches tiled into one grid, and the inpainting input: the editor's image at the model's size and
the mask of what to regenerate, painted or a named region. numpy only: no torch."""

import numpy as np

from core import pictures
from core.diffusion.shapes import render_caption
from core.runtime.seeding import check_seed
from core.runtime.validate import shown

DISPLAY_SIDE = 256  # pixels a 32x32 sample is shown at
IMAGE_SOURCES = ("rendered from a caption", "last generated image", "upload")  # where the explorers' x_0 comes from
UPLOAD_SIDE = 64  # uploads at least this wide are shrunk to it


def enlarge(image: np.ndarray, side: int = DISPLAY_SIDE) -> np.ndarray:
    """(H, W, 3) -> (side', side', 3) by repeating pixels; images already at least `side` wide are left alone."""
    return pictures.enlarge(image, max(1, side // image.shape[0]))


def tile(images: np.ndarray, side: int = DISPLAY_SIDE) -> np.ndarray:
    """(N, H, W, 3) -> one enlarged grid image with up to 4 per row, 2-pixel white gutters."""
    return pictures.tile([enlarge(im, side) for im in images], columns=4, gap=2, fill=255)


def shrink(image: np.ndarray, side: int) -> np.ndarray:
    """(H, W, C) -> (side, side, C) by averaging blocks (H a multiple of side) or nearest sampling otherwise."""
    h = image.shape[0]
    if h == side:
        return image
    if h % side == 0 and image.shape[1] == h:
        k = h // side
        return image.reshape(side, k, side, k, -1).mean(axis=(1, 3)).round().astype(image.dtype)
    rows = (np.arange(side) * image.shape[0] / side).astype(int)
    cols = (np.arange(side) * image.shape[1] / side).astype(int)
    return image[rows][:, cols]


def painted_mask(layers: list[np.ndarray], side: int) -> np.ndarray | None:
    """(side, side) bool, True where any brush layer was painted; None when nothing was painted."""
    painted = [layer[..., 3] > 0 for layer in layers if layer is not None and layer.ndim == 3 and layer.shape[2] == 4]
    if not painted or not np.any(painted):
        return None
    mask = np.any(painted, axis=0).astype(np.float32)[..., None]  # (H, W, 1)
    return shrink(mask, side)[..., 0] > 0.25


PAINTED = "painted area"  # regenerate what the student painted, rather than a named region
REGIONS = {  # a region to regenerate, as (rows, cols) slices of a side x side image, in fractions
    "left half": ((0, 1), (0, 0.5)),
    "right half": ((0, 1), (0.5, 1)),
    "top half": ((0, 0.5), (0, 1)),
    "bottom half": ((0.5, 1), (0, 1)),
    "centre square": ((0.25, 0.75), (0.25, 0.75)),
}
REGION_CHOICES = (PAINTED, *REGIONS)  # what the inpainting tab offers to regenerate


def region_mask(region: str, side: int) -> np.ndarray:
    """(side, side) bool, True inside the named region (the part to regenerate)."""
    if region not in REGIONS:
        raise ValueError(f"unknown region {shown(region)}: choose one of {', '.join(REGIONS)}")
    (r0, r1), (c0, c1) = REGIONS[region]
    mask = np.zeros((side, side), dtype=bool)
    mask[round(r0 * side) : round(r1 * side), round(c0 * side) : round(c1 * side)] = True
    return mask


def erase_mask(region: str, layers: list[np.ndarray], side: int) -> np.ndarray:
    """(side, side) bool, True where inpainting regenerates: the painted pixels of the editor's brush `layers`
    (H, W, 4) for PAINTED, else the named region."""
    if region != PAINTED:
        return region_mask(region, side)
    erase = painted_mask(layers, side)
    if erase is None:
        raise ValueError("nothing painted: paint over the part to regenerate, or choose a region")
    return erase


def editor_image(background: np.ndarray | None, side: int) -> np.ndarray:
    """The image editor's background (H, W, 3 or 4) as the (side, side, 3) uint8 image a model inpaints."""
    if background is None:
        raise ValueError("no image to inpaint: load one into the editor with the button above")
    image = shrink(np.asarray(background)[..., :3].astype(np.uint8), side)
    if image.shape[:2] != (side, side):
        raise ValueError(f"the image must be square: this model works at {side}x{side} pixels")
    return image


def chosen_image(kind: str, caption: str, upload: np.ndarray | None, last: np.ndarray | None, seed: int) -> np.ndarray:
    """The (H, W, 3) uint8 x_0 of the forward-process explorer and the inpainting editor: a caption rendered with
    `seed`, the last generated image or an upload (shrunk to UPLOAD_SIDE when larger)."""
    if kind == IMAGE_SOURCES[1]:
        if last is None:
            raise ValueError("no image generated yet: generate one in the first tab, or pick another source")
        return np.asarray(last)
    if kind == IMAGE_SOURCES[2]:
        if upload is None:
            raise ValueError("no image uploaded: drop a PNG or JPEG on the upload box")
        image = np.asarray(upload)[..., :3]
        return shrink(image, UPLOAD_SIDE) if min(image.shape[:2]) >= UPLOAD_SIDE else image
    return render_caption(caption, seed)


def editor_picture(kind: str, caption: str, upload: np.ndarray | None, last: np.ndarray | None, seed: object):
    """The chosen image (`chosen_image`, with the seed checked) enlarged for the inpainting editor to paint on."""
    return enlarge(chosen_image(kind, caption, upload, last, check_seed(seed)))
