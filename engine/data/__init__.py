"""Data for an experiment: toy sets, scikit-learn's bundled sets and the user's CSV files.

``load_table`` reads the whole data set as a :class:`Table`; ``split_table`` turns it into the
float32 training, validation (and test) arrays of a :class:`Dataset`, standardizing with statistics
from the training rows only; ``load_dataset`` does both with the seeded split of the spec: the test
rows (``data.test``) are held out first, then the other rows are split into training and validation.
Every problem with the data becomes a one-line :class:`DataError` that says how to fix it.

- :mod:`~engine.data.tables`: :class:`Table`, :class:`Dataset` and :class:`DataError`;
- :mod:`~engine.data.bundled`: the generated toy sets and scikit-learn's bundled sets;
- :mod:`~engine.data.csv_files`: reading, checking and encoding a CSV file;
- :mod:`~engine.data.splits`: test rows, the training/validation split and the scaling.

Nothing here imports scikit-learn or pandas until a data set needs it.
"""

from __future__ import annotations

from engine.data.csv_files import (
    AUTO_MAX_INTEGER_CLASSES,
    MAX_CATEGORIES,
    MAX_CLASSES,
    MIN_ROWS,
    detect_task,
    drop_missing_rows,
    missing_mask,
    missing_values,
    text_feature_problem,
)
from engine.data.splits import (
    TEST_STREAM,
    hold_out_test_rows,
    load_dataset,
    load_table,
    split_rows,
    split_table,
    without_test_rows,
)
from engine.data.tables import DataError, Dataset, Table

__all__ = [
    "AUTO_MAX_INTEGER_CLASSES",
    "MAX_CATEGORIES",
    "MAX_CLASSES",
    "MIN_ROWS",
    "TEST_STREAM",
    "DataError",
    "Dataset",
    "Table",
    "detect_task",
    "drop_missing_rows",
    "hold_out_test_rows",
    "load_dataset",
    "load_table",
    "missing_mask",
    "missing_values",
    "split_rows",
    "split_table",
    "text_feature_problem",
    "without_test_rows",
]
