"""`cv` with early stopping: each fold stops on rows of its own training part, never on its held-out fold."""

import numpy as np
import pytest

from engine.data import load_table
from engine.spec import Experiment
from engine.studies.crossval import cross_validate, stopping_split, write_results

ROWS, FOLDS, PATIENCE = 60, 3, 2


def write_csv(folder, flip_rows=()):
    """Two numeric features on a large offset scale (so scaling matters) and a 0/1 label; the labels of
    ``flip_rows`` (0-based data rows) are flipped."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(ROWS, 2))
    y = (x[:, 0] + 0.8 * x[:, 1] + rng.normal(0, 0.7, ROWS) > 0).astype(int)
    y[list(flip_rows)] = 1 - y[list(flip_rows)]
    rows = (f"{100 + 5 * a:.5f},{-3 + 0.1 * b:.5f},{label}" for (a, b), label in zip(x, y, strict=True))
    lines = ["a,b,label", *rows]
    (folder / "points.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def experiment(folder, early_stopping=True, epochs=25) -> Experiment:
    spec = {
        "reglab": 1, "name": "cv early stopping",
        "data": {"kind": "csv", "path": "points.csv", "target": "label", "validation": 0.25, "seed": 5},
        "network": {"hidden": [{"units": 16, "activation": "relu", "dropout": 0.1,
                                "kernel_regularizer": {"l1": 0.0, "l2": 0.001}}]},
        "training": {"optimizer": "adam", "learning_rate": 0.05, "batch_size": 8, "epochs": epochs, "seed": 2},
    }
    if early_stopping:
        spec["training"]["early_stopping"] = {"patience": PATIENCE, "restore_best_weights": True}
    return Experiment.from_dict(spec, base_dir=folder)


def fold_test_rows(exp, fold):
    from sklearn.model_selection import KFold

    splits = KFold(n_splits=FOLDS, shuffle=True, random_state=exp.data.seed).split(np.arange(ROWS))
    return np.sort(list(splits)[fold - 1][1])


def keras_stop_epoch(val_losses, patience, epochs):
    """Where Keras' EarlyStopping(patience) ends fit: the first epoch `patience` epochs after the best so far."""
    for epoch in range(1, len(val_losses) + 1):
        best = int(np.argmin(val_losses[:epoch])) + 1
        if epoch - best >= patience:
            return epoch
    return epochs


def test_a_folds_predictions_do_not_depend_on_its_own_test_labels(tmp_path):
    write_csv(tmp_path)
    exp = experiment(tmp_path)
    test_rows = fold_test_rows(exp, 1)
    before = cross_validate(exp, FOLDS)

    write_csv(tmp_path, flip_rows=test_rows)  # every label of fold 1's held-out rows is now wrong
    after = cross_validate(experiment(tmp_path), FOLDS)

    assert not np.array_equal(before.targets[test_rows], after.targets[test_rows])
    np.testing.assert_array_equal(after.predictions[test_rows], before.predictions[test_rows])
    assert before.folds[0].epochs < exp.training.epochs  # early stopping did stop this fold
    # the score does see the flipped labels: the same predictions, scored against the other labels
    assert after.folds[0].scores["accuracy"] == pytest.approx(1 - before.folds[0].scores["accuracy"])


def test_each_fold_stops_where_its_stopping_rows_say_and_keeps_the_best_epoch(tmp_path):
    write_csv(tmp_path)
    exp = experiment(tmp_path)
    cv = cross_validate(exp, FOLDS)
    for fold in cv.folds:
        val_losses = [row["val_loss"] for row in fold.history]
        assert len(fold.history) == fold.epochs == keras_stop_epoch(val_losses, PATIENCE, exp.training.epochs)
        assert fold.weights_from_epoch == int(np.argmin(val_losses)) + 1
        assert fold.train_size + fold.stopping_size + fold.test_size == ROWS
        assert fold.stopping_size == int(np.ceil(0.25 * (ROWS - fold.test_size)))
    assert any(f.epochs < exp.training.epochs for f in cv.folds)  # the stop is honoured, not trained past

    write_results(cv, tmp_path / "cv")
    lines = (tmp_path / "cv" / "folds.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "fold,train_size,test_size,rmse,accuracy,log_loss,stopping_size,epochs,weights_from_epoch"
    first = lines[1].split(",")
    assert [int(v) for v in first[:3] + first[6:]] == [1, cv.folds[0].train_size, cv.folds[0].test_size,
                                                      cv.folds[0].stopping_size, cv.folds[0].epochs,
                                                      cv.folds[0].weights_from_epoch]


def test_the_held_out_fold_is_predicted_by_the_best_epochs_weights_scaled_on_the_training_rows(tmp_path):
    from engine.studies.crossval import fold_datasets, predict_held_out
    from engine.training.trainer import Trainer

    write_csv(tmp_path)
    exp = experiment(tmp_path)
    cv = cross_validate(exp, FOLDS)
    fold = cv.folds[1]
    test_rows = fold_test_rows(exp, 2)
    train_rows = np.setdiff1d(np.arange(ROWS), test_rows)
    trained_on, held_out = fold_datasets(exp, load_table(exp.data, exp.base_dir), train_rows, test_rows)
    fit_rows = trained_on.train_index
    table = load_table(exp.data, exp.base_dir)
    np.testing.assert_allclose(held_out.feature_mean, table.x[fit_rows].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(held_out.x_val, (table.x[test_rows] - table.x[fit_rows].mean(axis=0))
                               / table.x[fit_rows].std(axis=0), rtol=1e-5, atol=1e-5)

    replay = Trainer(exp, trained_on, grid_every=0)  # the same fold trained again, stopped by hand at the best epoch
    replay.run(fold.weights_from_epoch)
    np.testing.assert_allclose(predict_held_out(replay, held_out), cv.predictions[test_rows], rtol=1e-6, atol=1e-7)


def test_stopping_rows_are_a_seeded_stratified_share_of_the_folds_training_rows(tmp_path):
    write_csv(tmp_path)
    table = load_table(experiment(tmp_path).data, tmp_path)
    train_rows = np.arange(3, ROWS, 1)
    fit, stop = stopping_split(table, train_rows, 0.25, seed=5)
    assert len(stop) == 15 and len(fit) == len(train_rows) - 15
    np.testing.assert_array_equal(np.sort(np.concatenate([fit, stop])), train_rows)  # a partition of the fold
    share = table.y[train_rows].mean()
    assert abs(table.y[stop].mean() - share) <= 1 / 15  # each class keeps its share (stratified)
    again = stopping_split(table, train_rows, 0.25, seed=5)
    np.testing.assert_array_equal(again[1], stop)
    assert not np.array_equal(stopping_split(table, train_rows, 0.25, seed=6)[1], stop)


def test_without_early_stopping_every_training_row_trains_for_every_epoch(tmp_path):
    write_csv(tmp_path)
    exp = experiment(tmp_path, early_stopping=False, epochs=3)
    cv = cross_validate(exp, FOLDS)
    for fold in cv.folds:
        assert fold.train_size + fold.test_size == ROWS and fold.stopping_size == 0
        assert fold.epochs == fold.weights_from_epoch == len(fold.history) == 3

