"""The loss landscape of two weights: values against a slow reference (set the two weights, evaluate), the penalty
against hand computation, the grid, the pair in the experiment file, the shapes drawn over it, and the command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from builders import experiment, make_dataset

from engine import cli
from engine.spec import Experiment, LandscapeChoice, Regularizer, SpecError, WeightRef, live_fields_differ_only
from engine.studies.landscape_run import check_pair
from engine.training.keras_setup import keras
from engine.training.landscape import (
    compute_landscape,
    default_pair,
    grid_reach,
    pair_values,
    parse_weight_refs,
    trajectory_point,
)
from engine.training.landscape_geometry import PairPenalty, level_set, max_norm_region, pair_penalty
from engine.training.trainer import Trainer

DEFAULT = Path(__file__).resolve().parents[2] / "resources" / "presets" / "default.json"
GRID_POINTS = [(0, 0), (3, 5), (5, 2), (6, 6)]  # (row → b, column → a) of a 7×7 grid


def slow_reference(trainer: Trainer, refs, a: float, b: float) -> tuple[float, float]:
    """(data loss, whole penalty) with the two weights set on the real model, on the training rows, dropout off."""
    saved = trainer.weights_now()
    try:
        for ref, value in zip(refs, (a, b), strict=True):
            kernel = trainer.net.dense[ref.layer].kernel
            w = kernel.numpy()
            w[ref.row, ref.column] = value
            kernel.assign(w)
        d = trainer.data
        losses = trainer.batch_losses(d.x_train, d.y_train, training=False)
    finally:
        trainer.put_weights(saved)
    return losses["data_loss"], losses["penalty"]


def check_against_reference(trainer: Trainer, refs) -> None:
    land = compute_landscape(trainer, refs, grid=7)
    for row, column in GRID_POINTS:
        data_loss, penalty = slow_reference(trainer, refs, land.a[column], land.b[row])
        assert land.data_loss[row, column] == pytest.approx(data_loss, rel=1e-5, abs=1e-6)
        assert land.penalty[row, column] == pytest.approx(penalty, rel=1e-5, abs=1e-7)


def trained(exp: Experiment, data, epochs: int = 3) -> Trainer:
    trainer = Trainer(exp, data, grid_every=0)
    trainer.run(epochs)
    return trainer


def test_the_default_preset_matches_the_slow_reference_and_its_own_epoch():
    exp = Experiment.from_dict(json.loads(DEFAULT.read_text()))
    trainer = trained(exp, None, epochs=5)
    refs = default_pair([layer.kernel.numpy() for layer in trainer.net.dense])
    check_against_reference(trainer, refs)
    # at the pair's own values the landscape is the network as it is: the epoch's train_eval_loss and penalty
    land = compute_landscape(trainer, refs, grid=3, around=np.array([land_point(trainer, refs)]))
    assert land.current == pytest.approx(land_point(trainer, refs))
    data_loss, penalty = slow_reference(trainer, refs, *land.current)
    assert data_loss == pytest.approx(trainer.history[-1]["train_eval_loss"], rel=1e-5)


def land_point(trainer, refs):
    return pair_values([layer.kernel.numpy() for layer in trainer.net.dense], refs)


@pytest.mark.parametrize("refs", [
    "1:2:1,1:0:1",  # two weights of one unit in the second layer (batch norm after it)
    "1:2:1,1:3:0",  # two units of the second layer
    "0:1:3,2:4:0",  # the first layer and the output layer
    "2:0:0,2:3:0",  # the output layer alone
])
def test_every_layer_and_mechanism_matches_the_slow_reference(xor_data, refs):
    exp = experiment(hidden=[
        {"units": 5, "activation": "tanh", "dropout": 0.3, "kernel_regularizer": {"l1": 0.01, "l2": 0.02},
         "activity_regularizer": {"l1": 0.003, "l2": 0.001}, "bias_regularizer": {"l1": 0.0, "l2": 0.05}},
        {"units": 6, "batch_norm": True, "dropout": 0.2, "kernel_regularizer": {"l1": 0.002, "l2": 0.0},
         "activity_regularizer": {"l1": 0.0, "l2": 0.004}},
    ])
    exp.network.dropout_style = "classic"
    exp.network.input_dropout = 0.1
    exp = Experiment.from_dict({**exp.to_dict(), "network": {**exp.to_dict()["network"],
                                                             "output": {"kernel_regularizer": {"l2": 0.03}}}})
    check_against_reference(trained(exp, xor_data), parse_weight_refs(refs))


def test_gaussian_dropout_and_noise_are_off_as_in_evaluation(xor_data):
    exp = experiment(hidden=[{"units": 5, "dropout": 0.4, "noise": 0.5}, {"units": 3, "dropout": 0.3}])
    exp.network.dropout_style = "gaussian"
    exp.network.input_noise = 0.3
    check_against_reference(trained(exp, xor_data), parse_weight_refs("0:0:4,1:2:2"))


def test_three_classes_and_regression_match_the_slow_reference():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3))
    labels = np.eye(3)[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)]
    three = make_dataset(x[:40], labels[:40], x[40:], labels[40:], task="multiclass")
    check_against_reference(trained(experiment(hidden=[{"units": 4}]), three), parse_weight_refs("1:0:2,1:3:1"))
    target = x @ np.array([1.0, -2.0, 0.5])
    plane = make_dataset(x[:40], target[:40], x[40:], target[40:], task="regression")
    check_against_reference(trained(experiment(hidden=[{"units": 4}]), plane), parse_weight_refs("0:0:1,0:2:1"))


def test_l1_penalty_is_the_diamond_plus_the_rest_by_hand(xor_data):
    lam = 0.01
    exp = experiment(hidden=[{"units": 4, "kernel_regularizer": {"l1": lam, "l2": 0.0}}, {"units": 3}])
    trainer = trained(exp, xor_data, epochs=2)
    refs = parse_weight_refs("0:0:1,0:1:3")
    land = compute_landscape(trainer, refs, grid=5)
    kernel = trainer.net.dense[0].kernel.numpy().astype(np.float64)
    rest = lam * (np.abs(kernel).sum() - abs(kernel[0, 1]) - abs(kernel[1, 3]))
    aa, bb = np.meshgrid(land.a, land.b)
    np.testing.assert_allclose(land.penalty, lam * (np.abs(aa) + np.abs(bb)) + rest, rtol=1e-5)


def test_the_grid_is_square_symmetric_and_covers_zero_the_pair_and_its_path(xor_data):
    trainer = trained(experiment(hidden=[{"units": 4}]), xor_data, epochs=1)
    refs = parse_weight_refs("0:0:0,0:1:2")
    land = compute_landscape(trainer, refs, grid=41, around=np.array([[0.1, -3.4], [0.0, 0.2]]))
    assert land.reach == 5  # 1.2 × 3.4 = 4.08 → the 1-2-5 step 5
    np.testing.assert_array_equal(land.a, land.b)
    assert land.a[0] == -5 and land.a[20] == 0 and land.a[-1] == 5
    assert land.data_loss.shape == land.penalty.shape == (41, 41)
    assert grid_reach(np.array([0.9])) == 2 and grid_reach(np.array([0.8, -0.1])) == 1


def test_rows_follow_the_second_weight_and_columns_the_first(xor_data):
    trainer = trained(experiment(hidden=[{"units": 4, "kernel_regularizer": {"l1": 0.0, "l2": 0.1}}]), xor_data)
    refs = parse_weight_refs("0:0:0,0:1:2")
    land = compute_landscape(trainer, refs, grid=5)
    swapped = compute_landscape(trainer, refs[::-1], grid=5)
    np.testing.assert_allclose(swapped.data_loss, land.data_loss.T, rtol=1e-6)
    assert land.penalty[0, 2] > land.penalty[2, 2]  # b = −R (row 0) against b = 0, a = 0 in both


def test_one_graph_serves_every_pair_of_the_same_layers(xor_data):
    from engine.training import landscape

    trainer = trained(experiment(hidden=[{"units": 4}]), xor_data, epochs=1)
    for text in ("0:0:0,0:1:2", "0:1:1,0:0:3", "0:0:2,0:1:3"):
        compute_landscape(trainer, parse_weight_refs(text), grid=9)
    (graph,) = landscape._GRAPHS[trainer].values()
    assert graph._fn.experimental_get_tracing_count() == 1


def test_default_pair_is_the_two_largest_first_layer_weights():
    kernels = [np.array([[0.1, -0.9, 0.3], [0.5, 0.2, -0.7]]), np.ones((3, 1)) * 5]
    assert default_pair(kernels) == (WeightRef(0, 0, 1), WeightRef(0, 1, 2))


def test_trajectory_points_come_from_the_snapshot(xor_data):
    trainer = Trainer(experiment(hidden=[{"units": 4}]), xor_data, grid_every=0)
    snap = trainer.step()
    refs = parse_weight_refs("0:1:3,1:2:0")
    assert trajectory_point(snap, refs) == (snap.layers[0].kernel[1, 3], snap.layers[1].kernel[2, 0])


@pytest.mark.parametrize(("text", "says"), [
    ("0:0:1", "is not two weights L:i:j"),
    ("0:0:1,0:1", "is not two weights L:i:j"),
    ("0:0:1,0:-1:3", "is not two weights L:i:j"),
    ("0:0:1,0:1:3,0:2:2", "is not two weights L:i:j"),
    ("0:0:1, 0:0:1", "names the weight 0:0:1 twice"),
])
def test_bad_weight_texts_say_what_is_wrong(text, says):
    with pytest.raises(SpecError, match=says) as info:
        parse_weight_refs(text)
    assert info.value.field == "weights"


def test_the_experiment_file_records_the_pair_only_when_set():
    exp = experiment()
    assert "landscape" not in exp.to_dict()
    exp.landscape = LandscapeChoice(parse_weight_refs("0:0:1,0:1:3"))
    saved = exp.to_dict()
    assert saved["landscape"] == {"weights": "0:0:1,0:1:3"}
    again = Experiment.from_dict(saved)
    assert again.landscape.weights == (WeightRef(0, 0, 1), WeightRef(0, 1, 3))
    assert live_fields_differ_only(experiment(), again)  # choosing the pair never restarts a run


@pytest.mark.parametrize(("landscape", "says"), [
    ({"weights": "0:0"}, "landscape.weights: '0:0' is not two weights"),
    ({"weights": 3}, "landscape.weights: expected two weights"),
    ({}, "landscape.weights: missing"),
    ({"weights": "0:0:1,0:1:3", "colour": "red"}, "landscape.colour: unknown field"),
])
def test_a_bad_pair_in_the_file_names_the_field(landscape, says):
    with pytest.raises(SpecError, match=says):
        Experiment.from_dict({**experiment().to_dict(), "landscape": landscape})


@pytest.mark.parametrize(("weights", "says"), [
    ("0:2:1,0:1:3", "landscape.weights: 0:2:1: layer 0's kernel has rows 0 to 1 and columns 0 to 7$"),
    ("0:0:1,2:0:0", "landscape.weights: 2:0:0: there is no Dense layer 2; this network has layers 0 to 1"),
    ("0:0:1,1:0:1", "landscape.weights: 1:0:1: layer 1's kernel has rows 0 to 7 and columns 0 to 0$"),
])
def test_a_pair_outside_the_network_trains_but_fails_where_the_landscape_is_made(xor_data, weights, says):
    exp = Experiment.from_dict({**experiment().to_dict(), "landscape": {"weights": weights}})
    trainer = Trainer(exp, xor_data)
    trainer.step()  # the model does not use the pair: in the window, an edit that drops its layer trains on
    with pytest.raises(SpecError, match=says):  # what the landscape command checks before training
        check_pair(exp.landscape.weights, exp, xor_data, "landscape.weights")
    with pytest.raises(SpecError, match=says.replace("landscape.weights", "weights")):
        compute_landscape(trainer, exp.landscape.weights)


def distance_to_curve(point, rows) -> float:
    """The shortest distance from ``point`` to the polyline through ``rows`` (a, b)."""
    p, start, end = np.array(point), rows[:-1], rows[1:]
    step = end - start
    t = np.clip(np.einsum("ij,ij->i", p - start, step) / np.einsum("ij,ij->i", step, step), 0, 1)
    return float(np.min(np.linalg.norm(start + t[:, None] * step - p, axis=1)))


def test_the_l1_level_set_is_the_diamond_with_its_corners_through_the_current_point():
    diamond = level_set(PairPenalty((0.001, 0.001), (0.0, 0.0)), (0.3, -0.45))
    r = 0.75
    np.testing.assert_allclose(np.abs(diamond).sum(axis=1), r)
    on_axes = {(round(a, 12), round(b, 12)) for a, b in diamond if abs(a) < 1e-12 or abs(b) < 1e-12}
    assert on_axes == {(r, 0.0), (0.0, r), (-r, 0.0), (0.0, -r)}
    assert distance_to_curve((0.3, -0.45), diamond) < 1e-12


def test_the_l2_and_elastic_net_level_sets_hold_their_equations():
    circle = level_set(PairPenalty((0.0, 0.0), (0.01, 0.01)), (0.3, -0.4))
    np.testing.assert_allclose(np.hypot(circle[:, 0], circle[:, 1]), 0.5)
    assert distance_to_curve((0.3, -0.4), circle) < 1e-4
    net = PairPenalty((0.002, 0.002), (0.01, 0.01))
    rounded = level_set(net, (0.3, -0.4))
    np.testing.assert_allclose(net(rounded[:, 0], rounded[:, 1]), net(0.3, -0.4))
    assert distance_to_curve((0.3, -0.4), rounded) < 1e-4
    radius = np.hypot(rounded[:, 0], rounded[:, 1])
    assert radius.min() < 0.5 - 1e-3 < radius.max()  # rounder than a diamond, not a circle


def test_a_weight_without_a_penalty_opens_the_level_set_into_lines_cut_far_away():
    lines = level_set(PairPenalty((0.0, 0.0), (0.01, 0.0)), (0.3, -0.4), far=2.0)
    finite = lines[np.isfinite(lines[:, 0])]
    np.testing.assert_allclose(np.abs(finite[:, 0]), 0.3)  # a² = a₀²: the lines a = ±0.3
    assert np.isnan(lines[:, 0]).sum() > 2 and np.hypot(finite[:, 0], finite[:, 1]).max() <= 2.0
    assert np.hypot(finite[:, 0], finite[:, 1]).max() > 1.5  # near the cut (the rays are ½° apart), not short
    assert level_set(PairPenalty((0.0, 0.0), (0.0, 0.0)), (0.3, -0.4)) is None
    assert level_set(PairPenalty((0.01, 0.0), (0.0, 0.0)), (0.0, -0.4)) is None  # a₀ = 0: the penalty is 0


def test_the_spec_gives_each_weights_lambda():
    exp = experiment(hidden=[{"units": 3, "kernel_regularizer": {"l2": 0.001}},
                             {"units": 2, "kernel_regularizer": {"l1": 0.002}}])
    assert pair_penalty(exp, parse_weight_refs("0:1:1,1:1:1")) == PairPenalty((0.0, 0.002), (0.001, 0.0))
    to_output = parse_weight_refs("1:0:1,2:1:0")
    assert pair_penalty(exp, to_output) == PairPenalty((0.002, 0.0), (0.0, 0.0))  # no output penalty here
    exp.network.output.kernel_regularizer = Regularizer(l2=0.003)
    assert pair_penalty(exp, to_output) == PairPenalty((0.002, 0.0), (0.0, 0.003))


KERNEL = np.array([[0.5, 1.0, 0.0], [0.3, 0.0, 1.2], [1.0, 0.6, 0.8]])


def test_max_norm_is_a_disc_for_one_unit_with_the_rest_of_its_weights():
    exp = experiment(hidden=[{"units": 3, "max_norm": 2.0}])
    disc = max_norm_region(exp, parse_weight_refs("0:0:0,0:1:0"), [KERNEL, np.ones((3, 1))])
    assert disc.kind == "disc" and disc.rest == (1.0, 1.0) and disc.room[0] == pytest.approx(3.0)
    np.testing.assert_allclose(np.hypot(disc.boundary[:, 0], disc.boundary[:, 1]), np.sqrt(4 - 1.0))


def test_max_norm_is_a_rectangle_for_two_units_and_a_band_for_one_bounded_weight():
    exp = experiment(hidden=[{"units": 3, "max_norm": 2.0}, {"units": 2}])
    kernels = [KERNEL, np.ones((3, 2)), np.ones((2, 1))]
    box = max_norm_region(exp, parse_weight_refs("0:0:1,0:2:2"), kernels)
    assert box.kind == "rectangle" and box.rest == pytest.approx((0.36, 1.44))
    np.testing.assert_allclose(box.boundary.max(axis=0), [np.sqrt(4 - 0.36), np.sqrt(4 - 1.44)])
    band = max_norm_region(exp, parse_weight_refs("1:0:1,0:2:2"), kernels, far=5.0)  # b's layer alone: two lines
    assert band.kind == "band" and band.c == (None, 2.0) and band.rest[0] is None
    finite = band.boundary[np.isfinite(band.boundary[:, 0])]
    np.testing.assert_allclose(np.abs(finite[:, 1]), np.sqrt(4 - 1.44))
    assert set(np.abs(finite[:, 0])) == {5.0}
    assert max_norm_region(exp, parse_weight_refs("1:0:1,2:1:0"), kernels) is None  # no max-norm on either


def _write_experiment(tmp_path: Path, **changes) -> Path:
    spec = {"reglab": 1, "name": "small", "data": {"kind": "toy", "name": "moons", "samples": 60},
            "network": {"hidden": [{"units": 4, "kernel_regularizer": {"l1": 0.01}}]}, "training": {"epochs": 50},
            **changes}
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(spec))
    return path


def test_the_command_writes_the_grid_the_path_the_picture_and_the_model(tmp_path, capsys):
    exp = _write_experiment(tmp_path, landscape={"weights": "0:1:3,0:0:2"})
    out = tmp_path / "out"
    assert cli.main(["landscape", str(exp), "--grid", "5", "--epochs", "4", "--out", str(out)]) == 0
    with (out / "landscape.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["a", "b", "data_loss", "penalty"] and len(rows) == 25
    assert [float(rows[k]["a"]) for k in range(5)] == [-1, -0.5, 0, 0.5, 1]  # a varies fastest
    with (out / "trajectory.csv").open() as f:
        path = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in path] == [0, 1, 2, 3, 4]
    model = keras.saving.load_model(out / "model.keras")
    kernel = model.get_layer("hidden_1").get_weights()[0]
    assert (float(path[-1]["a"]), float(path[-1]["b"])) == pytest.approx((kernel[1, 3], kernel[0, 2]), rel=1e-6)
    assert (out / "landscape.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "0:1:3" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "says"), [
    (["--weights", "0:0:1"], "reglab: --weights: '0:0:1' is not two weights"),
    (["--weights", "0:0:1,0:5:1"], "reglab: --weights: 0:5:1: layer 0's kernel has rows 0 to 1"),
    (["--grid", "2"], "reglab: --grid: 2 is out of range [3, 201]"),
    (["--epochs", "0"], "reglab: --epochs: 0 is out of range"),
])
def test_bad_command_input_is_one_line_and_exit_2(tmp_path, capsys, args, says):
    exp = _write_experiment(tmp_path)
    assert cli.main(["landscape", str(exp), "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(says) and err.count("\n") == 1
    assert not (tmp_path / "o").exists()
