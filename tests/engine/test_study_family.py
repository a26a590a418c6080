"""Studies with max-norm, noise, batch norm, Gaussian dropout and output penalties: labels that name each exactly,
compare sets that contrast each, and sweeps over their fields."""

import csv
import json

import numpy as np
import pytest
from builders import experiment

from engine import cli
from engine.spec import Experiment, OutputLayer, Regularizer, set_path
from engine.studies.study import MAX_VARIANTS, classic_variants, regularization_label, run_compare
from engine.studies.sweep import run_sweep
from engine.training.trainer import Trainer
from tests.engine.test_crossval_and_sweep import SPEC, hand_test_score


def two_layers(**layer) -> Experiment:
    return experiment([{"units": 8, **layer}, {"units": 6, **layer}], epochs=2)


def with_network(exp: Experiment, **fields) -> Experiment:
    for name, value in fields.items():
        setattr(exp.network, name, value)
    return exp


OUT_L2 = OutputLayer(kernel_regularizer=Regularizer(0.0, 0.01))
LABELS = {
    "max-norm 3": two_layers(max_norm=3),
    "noise σ=0.1": two_layers(noise=0.1),
    "batch norm": two_layers(batch_norm=True),
    "input noise σ=0.2": with_network(two_layers(), input_noise=0.2),
    "Gaussian dropout 0.3": with_network(two_layers(dropout=0.3), dropout_style="gaussian"),
    "output L2 λ=0.01": with_network(two_layers(), output=OUT_L2),
    "output L2 λ=0.01 + output bias L1 λ=0.001": with_network(
        two_layers(), output=OutputLayer(Regularizer(0.0, 0.01), Regularizer(0.001, 0.0))),
    "input noise σ=0.2 · input Gaussian dropout 0.1 · L2 λ=0.001 + max-norm 2.5 + batch norm + noise σ=0.1 + "
    "Gaussian dropout 0.3 · output L2 λ=0.01 · weight decay 0.002 · label smoothing 0.1": with_network(
        experiment([{"units": 8, "kernel_regularizer": {"l1": 0.0, "l2": 0.001}, "max_norm": 2.5, "batch_norm": True,
                     "noise": 0.1, "dropout": 0.3}], weight_decay=0.002, label_smoothing=0.1),
        input_noise=0.2, input_dropout=0.1, dropout_style="gaussian", output=OUT_L2),
    "h1: max-norm 3 + batch norm · h2: noise σ=0.05": experiment(
        [{"units": 8, "max_norm": 3, "batch_norm": True}, {"units": 6, "noise": 0.05}]),
}


@pytest.mark.parametrize("label", list(LABELS))
def test_the_label_names_every_mechanism(label):
    assert regularization_label(LABELS[label]) == label


def mechanisms(exp: Experiment) -> tuple:
    """Every regularization field of an experiment, to compare variants with."""
    net, t = exp.network, exp.training
    layers = tuple((h.kernel_regularizer, h.dropout, h.max_norm, h.noise, h.batch_norm) for h in net.hidden)
    return net.input_noise, net.input_dropout, net.dropout_style, net.output, layers, t.weight_decay


L2, ONE = Regularizer(0.0, 0.001), Regularizer(0.0, 0.0005)


def layer(kernel=None, dropout=0.0, max_norm=None, noise=0.0, batch_norm=False):
    return kernel, dropout, max_norm, noise, batch_norm


def expect(*layers, input_noise=0.0, style="inverted", output=None, decay=0.0):
    """``mechanisms`` of a two-layer experiment whose layers are ``layers`` (one given: both alike)."""
    return input_noise, 0.0, style, output or OutputLayer(), layers * (2 // len(layers)), decay


CONTRASTS = {
    # the mechanism alone: none / it / it with its partner / the partner alone
    "max-norm": (two_layers(max_norm=3), [
        ("none", expect(layer())), ("max-norm 3", expect(layer(max_norm=3))),
        ("max-norm 3 + dropout 0.3", expect(layer(max_norm=3, dropout=0.3))),
        ("dropout 0.3", expect(layer(dropout=0.3)))]),
    "batch norm": (two_layers(batch_norm=True), [
        ("none", expect(layer())), ("batch norm", expect(layer(batch_norm=True))),
        ("batch norm + dropout 0.3", expect(layer(dropout=0.3, batch_norm=True))),
        ("dropout 0.3", expect(layer(dropout=0.3)))]),
    "input noise": (with_network(two_layers(), input_noise=0.2), [
        ("none", expect(layer())), ("input noise σ=0.2", expect(layer(), input_noise=0.2)),
        ("input noise σ=0.2 · L2 λ=0.001", expect(layer(L2), input_noise=0.2)), ("L2 λ=0.001", expect(layer(L2)))]),
    "output L2": (with_network(two_layers(), output=OUT_L2), [
        ("none", expect(layer())), ("output L2 λ=0.01", expect(layer(), output=OUT_L2)),
        ("L2 λ=0.001 · output L2 λ=0.01", expect(layer(L2), output=OUT_L2)), ("L2 λ=0.001", expect(layer(L2)))]),
    # Gaussian dropout alone: without it is dropout at the same rate
    "Gaussian dropout": (with_network(two_layers(dropout=0.3), dropout_style="gaussian"), [
        ("none", expect(layer(), style="gaussian")),
        ("Gaussian dropout 0.3", expect(layer(dropout=0.3), style="gaussian")),
        ("dropout 0.3", expect(layer(dropout=0.3))),
        ("L2 λ=0.001 + Gaussian dropout 0.3", expect(layer(L2, dropout=0.3), style="gaussian"))]),
    # with other regularization: none / it all / without the mechanism / the mechanism alone
    "max-norm, L2, dropout, weight decay": (
        experiment([{"units": 8, "max_norm": 3, "dropout": 0.5, "kernel_regularizer": {"l1": 0, "l2": 0.0005}}] * 2,
                   epochs=2, weight_decay=0.01), [
            ("none", expect(layer())),
            ("L2 λ=0.0005 + max-norm 3 + dropout 0.5 · weight decay 0.01",
             expect(layer(ONE, dropout=0.5, max_norm=3), decay=0.01)),
            ("L2 λ=0.0005 + dropout 0.5 · weight decay 0.01", expect(layer(ONE, dropout=0.5), decay=0.01)),
            ("max-norm 3", expect(layer(max_norm=3)))]),
    "noise and Gaussian dropout with L2": (
        with_network(two_layers(noise=0.1, dropout=0.2, kernel_regularizer={"l1": 0, "l2": 0.0005}),
                     dropout_style="gaussian"), [
            ("none", expect(layer(), style="gaussian")),
            ("L2 λ=0.0005 + noise σ=0.1 + Gaussian dropout 0.2",
             expect(layer(ONE, dropout=0.2, noise=0.1), style="gaussian")),
            ("L2 λ=0.0005 + dropout 0.2", expect(layer(ONE, dropout=0.2))),
            ("noise σ=0.1 + Gaussian dropout 0.2", expect(layer(dropout=0.2, noise=0.1), style="gaussian"))]),
}


@pytest.mark.parametrize("kind", list(CONTRASTS))
def test_the_compare_set_contrasts_a_layer_mechanism_without_it_and_with_it(kind):
    exp, expected = CONTRASTS[kind]
    variants = classic_variants(exp)
    assert len(variants) <= MAX_VARIANTS
    assert [(label, mechanisms(v)) for label, v in variants] == expected
    assert variants[1][1] == exp
    for _, variant in variants:  # the data, units, activations, seed and training settings stay the experiment's
        assert variant.data == exp.data and variant.training.seed == exp.training.seed
        assert [(h.units, h.activation) for h in variant.network.hidden] == [(h.units, h.activation)
                                                                             for h in exp.network.hidden]


def test_a_compare_study_of_batch_norm_trains_each_variant():
    exp = two_layers(batch_norm=True)
    exp.data.samples = 80
    progress = run_compare(classic_variants(exp))
    assert [row["variant"] for row in progress.table] == ["none", "batch norm", "batch norm + dropout 0.3",
                                                          "dropout 0.3"]
    plain = Trainer(classic_variants(exp)[2][1], grid_every=0)
    plain.run()
    assert progress.curves[2].rows == plain.history  # the variant is the experiment it says, trained as usual


def write(tmp_path, spec) -> str:
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("param", "values"), [
    ("network.hidden[*].max_norm", [0.3, 3.0]),
    ("network.hidden[*].noise", [0.0, 0.5]),
    ("network.input_noise", [0.0, 0.3]),
    ("network.output.kernel_regularizer.l2", [0.0, 0.1]),
])
def test_a_sweep_over_a_new_field_runs_from_the_command_line(tmp_path, capsys, param, values):
    out = tmp_path / "sweep"
    args = ["sweep", write(tmp_path, SPEC), "--param", param, "--values", ",".join(map(str, values)),
            "--out", str(out)]
    assert cli.main(args) == 0
    with (out / "sweep.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["value"]) for r in rows] == values
    for row, value in zip(rows, values, strict=True):  # each row is a plain run with the field set to its value
        trainer = Trainer(set_path(Experiment.from_dict(SPEC), param, value), grid_every=0)
        trainer.run()
        assert float(row["final_val_loss"]) == pytest.approx(trainer.history[-1]["val_loss"], rel=1e-5)
    assert rows[0]["final_val_loss"] != rows[1]["final_val_loss"]
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith(f"Best {param}: ")


def test_a_max_norm_of_zero_is_refused_naming_the_field(tmp_path, capsys):
    code = cli.main(["sweep", write(tmp_path, SPEC), "--param", "network.hidden[*].max_norm", "--values", "3,0"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "network.hidden[0].max_norm: 0 is out of range (0, 100]" in err[0]


def test_the_test_score_of_a_batch_norm_sweep_uses_its_moving_statistics():
    """The final model predicts with batch norm's moving mean and variance: the test score restores them with the
    weights (scored without them, the network would see other inputs than it trained on)."""
    tested = {**SPEC, "data": {**SPEC["data"], "samples": 80, "test": 0.25},
              "network": {"hidden": [{"units": 6, "activation": "tanh", "batch_norm": True, "max_norm": 2}]}}
    exp = Experiment.from_dict(tested)
    param = "training.learning_rate"
    scores = []
    run_sweep(exp, param, [0.05], on_test_score=scores.append)
    accuracy, loss, _ = hand_test_score(exp, param, 0.05, 1)
    assert scores[0].test_loss == pytest.approx(loss, rel=1e-5)
    assert scores[0].test_metric == pytest.approx(accuracy, abs=1e-9)
    assert np.isfinite(loss)
