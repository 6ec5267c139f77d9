"""Threat image projection and the synthetic parcels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from xray.screening.synthetic import synthetic_object, synthetic_parcel_image
from xray.screening.tip import crop_transmission, tip_image_for_officer, tip_project, transmission_of


def test_projection_multiplies_the_bag_by_the_object_and_keeps_the_bag_size():
    bag = np.full((120, 160, 3), 0.8, dtype=np.float32)
    obj = np.full((40, 40), 0.5, dtype=np.float32)

    out, (x0, y0, x1, y1) = tip_project(bag=bag, obj=obj, rng=np.random.default_rng(3), scale_range=(0.3, 0.3))

    assert out.shape == bag.shape
    centre = out[(y0 + y1) // 2, (x0 + x1) // 2]
    np.testing.assert_allclose(centre, 0.8 * 0.5, atol=0.02)
    outside = np.ones(out.shape[:2], dtype=bool)
    outside[y0:y1, x0:x1] = False
    np.testing.assert_allclose(out[outside], 0.8, atol=1e-6)
    # Transmissions only multiply: nothing gets brighter.
    assert (out <= bag + 1e-6).all()


def test_projection_of_a_transparent_object_changes_nothing():
    rng = np.random.default_rng(0)
    bag = rng.uniform(0.2, 1.0, (90, 100, 3)).astype(np.float32)

    out, _box = tip_project(bag=bag, obj=np.ones((30, 20), np.float32), rng=rng)

    np.testing.assert_allclose(out, bag, atol=1e-5)


def test_a_real_crops_background_is_normalised_to_full_transmission():
    grey = np.full((50, 50), 200, dtype=np.uint8)
    grey[20:30, 20:30] = 50

    transmission = crop_transmission(Image.fromarray(grey, "L"))

    assert transmission[0, 0] == pytest.approx(1.0)
    assert transmission[25, 25] == pytest.approx(50 / 200, abs=0.01)


@pytest.mark.parametrize("kind", ["gun", "blade", "shuriken"])
def test_officer_tip_keeps_the_image_size_darkens_only_and_follows_the_seed(kind):
    base = synthetic_parcel_image(seed=5, width=300, height=200)

    first = tip_image_for_officer(base=base, kind=kind, seed=11)
    again = tip_image_for_officer(base=base, kind=kind, seed=11)
    other = tip_image_for_officer(base=base, kind=kind, seed=12)

    assert first.size == base.size and first.mode == "RGB"
    assert np.array_equal(np.asarray(first), np.asarray(again))
    assert not np.array_equal(np.asarray(first), np.asarray(other))
    before, after = transmission_of(base), transmission_of(first)
    assert (after <= before + 1 / 255 + 1e-6).all()
    assert (before - after).max() > 0.3


def test_officer_tip_reads_greyscale_and_alpha_images():
    grey = Image.new("L", (120, 90), 230)
    rgba = Image.new("RGBA", (120, 90), (200, 180, 160, 255))

    assert tip_image_for_officer(base=grey, kind="gun", seed=1).size == (120, 90)
    assert tip_image_for_officer(base=rgba, kind="blade", seed=1).mode == "RGB"


def test_officer_tip_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        tip_image_for_officer(base=Image.new("RGB", (50, 50), "white"), kind="banana", seed=1)


def test_synthetic_parcels_follow_the_seed_and_carry_the_threat_asked_for():
    plain = synthetic_parcel_image(seed=3)
    assert np.array_equal(np.asarray(plain), np.asarray(synthetic_parcel_image(seed=3)))
    assert plain.mode == "RGB" and plain.size == (480, 360)
    with_gun = synthetic_parcel_image(seed=3, threat="gun")
    assert with_gun.size == plain.size
    assert not np.array_equal(np.asarray(plain), np.asarray(with_gun))


def test_synthetic_metal_is_blue_in_the_pseudo_colour():
    gun = synthetic_object(kind="gun", rng=np.random.default_rng(0), size=64)
    darkest = gun.reshape(-1, 3)[gun.mean(axis=2).argmin()]
    assert darkest[2] > darkest[0]
