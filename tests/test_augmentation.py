"""nncore.data.augmentation: geometry checked against exact NumPy equivalents, intensity
against its formula, dtypes and shapes kept, seeds reproducible."""
import numpy as np
import pytest

from nncore.data import (ImageAugmenter, random_brightness, random_contrast, random_crop,
                         random_flip, random_rotation, random_shift, rotate, translate)

RNG = np.random.default_rng(0)
GRAY = RNG.integers(0, 256, (12, 10, 10), dtype=np.uint8)
COLOR = RNG.random((5, 9, 7, 3)).astype(np.float32)

ALL = [
    lambda x, rng: random_rotation(x, 30, rng=rng),
    lambda x, rng: random_rotation(x, 30, interpolation="bilinear", rng=rng),
    lambda x, rng: random_shift(x, 0.2, rng=rng),
    lambda x, rng: random_flip(x, "horizontal_and_vertical", rng=rng),
    lambda x, rng: random_crop(x, padding=2, rng=rng),
    lambda x, rng: random_brightness(x, 0.2, rng=rng),
    lambda x, rng: random_contrast(x, 0.5, rng=rng),
    lambda x, rng: ImageAugmenter(rotation=15, shift=0.1, flip="horizontal", crop_padding=1,
                                  brightness=0.1, contrast=0.2)(x, rng=rng),
]


@pytest.mark.parametrize("augment", ALL)
@pytest.mark.parametrize("images", [GRAY, COLOR, COLOR.astype(np.float64)],
                         ids=["uint8-nhw", "float32-nhwc", "float64-nhwc"])
def test_shape_dtype_kept_and_seed_reproduces(augment, images):
    before = images.copy()
    out = augment(images, 5)
    assert out.shape == images.shape and out.dtype == images.dtype
    np.testing.assert_array_equal(augment(images, 5), out)
    assert not np.array_equal(augment(images, 6), out)
    np.testing.assert_array_equal(images, before)  # the input is never modified


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("images", [GRAY, COLOR], ids=["uint8", "float32"])
def test_zero_rotation_and_shift_are_the_identity(images, interpolation):
    np.testing.assert_array_equal(rotate(images, 0.0, interpolation=interpolation), images)
    np.testing.assert_array_equal(translate(images, 0, 0, interpolation=interpolation), images)
    np.testing.assert_array_equal(random_shift(images, 0, rng=0), images)
    np.testing.assert_array_equal(random_rotation(images, 0, rng=0), images)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_quarter_turns_match_rot90(interpolation):
    for k in (1, 2, 3, -1):
        expected = np.rot90(GRAY, k, axes=(1, 2))
        np.testing.assert_array_equal(rotate(GRAY, 90 * k, interpolation=interpolation),
                                      expected)
    # Non-square images turned half-way round are flipped along both axes.
    np.testing.assert_allclose(rotate(COLOR, 180, interpolation=interpolation),
                               COLOR[:, ::-1, ::-1], atol=1e-6)
    np.testing.assert_array_equal(random_rotation(GRAY, (90, 90), rng=1),
                                  np.rot90(GRAY, 1, axes=(1, 2)))


def test_rotation_angle_is_drawn_per_image():
    turned = random_rotation(np.repeat(COLOR[:1], 50, axis=0), 180, rng=0,
                             interpolation="bilinear")
    assert len({t.tobytes() for t in turned}) == 50


def test_bilinear_rotation_interpolates_between_neighbours():
    # A horizontal ramp rotated by a small angle stays a ramp in the interior.
    ramp = np.tile(np.arange(21, dtype=np.float64), (1, 21, 1))
    out = rotate(ramp, 30, interpolation="bilinear")
    theta = np.deg2rad(30)
    r, c = np.mgrid[0:21, 0:21] - 10.0
    expected = 10 + np.cos(theta) * c - np.sin(theta) * r
    np.testing.assert_allclose(out[0, 7:14, 7:14], expected[7:14, 7:14], atol=1e-9)


@pytest.mark.parametrize("fill_mode, edge", [
    ("constant", lambda x: np.full_like(x[:, :2], 9)),
    ("nearest", lambda x: x[:, [0, 0]]),
    ("reflect", lambda x: x[:, [1, 0]]),
    ("wrap", lambda x: x[:, -2:]),
])
def test_shift_moves_content_and_fills_as_asked(fill_mode, edge):
    out = translate(GRAY, 2, -3, fill_mode=fill_mode, fill_value=9)
    np.testing.assert_array_equal(out[:, 2:, :-3], GRAY[:, :-2, 3:])
    np.testing.assert_array_equal(out[:, :2, :-3], edge(GRAY)[:, :, 3:])


def test_random_shift_uses_whole_pixels_within_the_limit():
    ones = np.ones((200, 10, 10), np.uint8)
    out = random_shift(ones, (0.2, 3), rng=0)   # rows: 20% of 10 = 2 px, cols: 3 px
    blank_rows = (out.sum(axis=2) == 0).sum(axis=1)
    blank_cols = (out.sum(axis=1) == 0).sum(axis=1)
    assert blank_rows.max() == 2 and blank_cols.max() == 3
    assert set(np.unique(out)) <= {0, 1}         # whole pixels: no interpolated values


def test_flips_are_exact():
    np.testing.assert_array_equal(random_flip(GRAY, probability=1.0, rng=0), GRAY[:, :, ::-1])
    np.testing.assert_array_equal(random_flip(COLOR, "vertical", probability=1.0, rng=0),
                                  COLOR[:, ::-1])
    np.testing.assert_array_equal(random_flip(GRAY, probability=0.0, rng=0), GRAY)
    out = random_flip(GRAY, rng=3)
    flipped = [np.array_equal(o, g[:, ::-1]) for o, g in zip(out, GRAY)]
    kept = [np.array_equal(o, g) for o, g in zip(out, GRAY)]
    assert all(f or k for f, k in zip(flipped, kept)) and any(flipped) and any(kept)


def test_random_crop_takes_windows_of_the_padded_image():
    out = random_crop(COLOR, (5, 4), padding=1, rng=0)
    assert out.shape == (5, 5, 4, 3)
    padded = np.pad(COLOR, ((0, 0), (1, 1), (1, 1), (0, 0)))
    for o, p in zip(out, padded):
        windows = [p[i:i + 5, j:j + 4] for i in range(7) for j in range(6)]
        assert any(np.array_equal(o, w) for w in windows)
    with pytest.raises(ValueError, match="does not fit"):
        random_crop(GRAY, (13, 10), padding=1)


def test_brightness_adds_a_clipped_constant():
    out = random_brightness(GRAY, (0.5, 0.5), rng=0)        # +127.5 levels exactly
    expected = np.clip(np.rint(GRAY + 127.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(out, expected)
    assert out.max() == 255
    dark = random_brightness(GRAY, (-1.0, -1.0), rng=0)
    assert dark.dtype == np.uint8 and dark.max() == 0
    floats = random_brightness(COLOR, (0.25, 0.25), rng=0)
    np.testing.assert_allclose(floats, np.clip(COLOR + 0.25, 0, 1), atol=1e-6)
    free = random_brightness(COLOR - 5, (0.5, 0.5), value_range=(-10, 10), rng=0)
    np.testing.assert_allclose(free, COLOR + 5, atol=1e-5)


def test_contrast_scales_around_the_per_channel_mean():
    out = random_contrast(COLOR, (0.0, 0.0), rng=0)
    np.testing.assert_allclose(out, COLOR, atol=1e-6)
    k = 1.5
    out = random_contrast(COLOR, (1 - k, k - 1), rng=0)    # factor drawn from [1.5, 1.5]
    mean = COLOR.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, np.clip((COLOR - mean) * k + mean, 0, 1), atol=1e-6)
    strong = random_contrast(GRAY, (0.0, 4.0), rng=0)
    assert strong.dtype == np.uint8 and strong.min() == 0 and strong.max() == 255
    with pytest.raises(ValueError, match="contrast range"):
        random_contrast(GRAY, (1.5, 0.0))


def test_augmenter_continues_its_stream_and_replays_from_its_seed():
    first = ImageAugmenter(rotation=20, shift=2, seed=4)
    a, b = first(GRAY), first(GRAY)
    assert not np.array_equal(a, b)
    second = ImageAugmenter(rotation=20, shift=2, seed=4)
    np.testing.assert_array_equal(second(GRAY), a)
    np.testing.assert_array_equal(second(GRAY), b)
    np.testing.assert_array_equal(ImageAugmenter()(GRAY), GRAY)  # nothing asked, nothing done
    assert "rotation=20" in repr(first)


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match=r"\(n, h, w\)"):
        random_flip(np.zeros((4, 4)))
    with pytest.raises(TypeError, match="bool"):
        random_brightness(np.zeros((1, 4, 4), bool), 0.1)
    with pytest.raises(ValueError, match="fill_mode"):
        rotate(GRAY, 10, fill_mode="mirror")
    with pytest.raises(ValueError, match="interpolation"):
        ImageAugmenter(interpolation="cubic")
