"""A lesson's compare study can name its own variants: parsed, saved back exactly, and bad ones refused."""

import json

import pytest
from builders import experiment

from engine.spec import Experiment, SpecError, experiment_from_json
from engine.studies.study import lesson_variants

LESSON = {"title": "L1 makes the weights sparse", "text": "L1 pulls every weight by the same step.",
          "look_at": "The histograms."}
VARIANTS = [
    {"label": "none", "set": {"network.hidden[*].kernel_regularizer.l1": 0.0}},
    {"label": "L1 λ=0.001", "set": {}},
    {"label": "L2 λ=0.001", "set": {"network.hidden[*].kernel_regularizer.l1": 0.0,
                                    "network.hidden[*].kernel_regularizer.l2": 0.001}},
    {"label": "dropout 0.3", "set": {"network.hidden[*].kernel_regularizer.l1": 0.0, "network.hidden[*].dropout": 0.3}},
]


def lesson_file(study: object) -> dict:
    d = experiment([{"units": 8, "kernel_regularizer": {"l1": 0.001, "l2": 0.0}}] * 2).to_dict()
    d["lesson"] = {**LESSON, "study": study}
    return d


def test_a_lessons_variants_are_read_and_written_back_exactly():
    d = lesson_file({"kind": "compare", "variants": VARIANTS})
    exp = Experiment.from_dict(d)
    assert exp.lesson.study == {"kind": "compare", "variants": VARIANTS}
    assert exp.to_dict() == d and list(exp.to_dict()["lesson"]["study"]["variants"][2]["set"]) == [
        "network.hidden[*].kernel_regularizer.l1", "network.hidden[*].kernel_regularizer.l2"]  # the order applied
    assert experiment_from_json(exp.to_json()) == exp
    whole = Experiment.from_dict(lesson_file({"kind": "compare", "variants": [{"label": "x", "set": {
        "training.epochs": 3}}]}))
    assert whole.lesson.study["variants"][0]["set"] == {"training.epochs": 3.0}  # numbers are read as numbers
    assert Experiment.from_dict(lesson_file({"kind": "compare"})).lesson.study == {"kind": "compare"}
    assert Experiment.from_dict(lesson_file({"kind": "compare", "variants": None})).lesson.study == {"kind": "compare"}


def test_the_parsed_variants_apply_to_the_lessons_experiment():
    exp = Experiment.from_dict(lesson_file({"kind": "compare", "variants": VARIANTS}))
    variants = lesson_variants(exp, exp.lesson.study["variants"])
    kernels = [[(h.kernel_regularizer.l1, h.kernel_regularizer.l2) for h in v.network.hidden] for _, v in variants]
    assert [label for label, _ in variants] == ["none", "L1 λ=0.001", "L2 λ=0.001", "dropout 0.3"]
    assert kernels == [[(0, 0)] * 2, [(0.001, 0)] * 2, [(0, 0.001)] * 2, [(0, 0)] * 2]
    assert [[h.dropout for h in v.network.hidden] for _, v in variants] == [[0, 0], [0, 0], [0, 0], [0.3, 0.3]]


def compare(variants: object) -> dict:
    return lesson_file({"kind": "compare", "variants": variants})


def one(**variant) -> dict:
    return compare([{"label": "a", "set": {}}, variant])


@pytest.mark.parametrize(("d", "message"), [
    (compare([]), "lesson.study.variants: expected a list of 1 to 4 variants, got 0 variants"),
    (compare(VARIANTS + [{"label": "fifth", "set": {}}]),
     "lesson.study.variants: expected a list of 1 to 4 variants, got 5 variants"),
    (compare({"label": "a", "set": {}}), "lesson.study.variants: expected a list of 1 to 4 variants, got an object"),
    (compare(["L2"]), "lesson.study.variants[0]: expected an object {...}, got the text 'L2'"),
    (one(label="b"), 'lesson.study.variants[1]: a variant needs a "label" and a "set" of field paths and numbers'),
    (one(set={}), 'lesson.study.variants[1]: a variant needs a "label" and a "set" of field paths and numbers'),
    (one(label=" ", set={}), "lesson.study.variants[1].label: must not be empty"),
    (one(label=3, set={}), "lesson.study.variants[1].label: expected a string, got 3"),
    (one(label="x" * 81, set={}), "lesson.study.variants[1].label: longer than 80 characters"),
    (one(label="a", set={}), "lesson.study.variants[1].label: 'a' is the label of variants[0] too; each needs its own"),
    (one(label="b", set={}, colour="red"), "lesson.study.variants[1].colour: unknown field (allowed here: label, set)"),
    (one(label="b", set=[0.3]),
     "lesson.study.variants[1].set: expected an object of field paths and numbers, got a list"),
    (one(label="b", set={"network hidden": 0.3}),
     "lesson.study.variants[1].set: 'network hidden' is not a field path like network.hidden[*].dropout"),
    (one(label="b", set={"network.hidden[*].dropout": "0.3"}),
     'lesson.study.variants[1].set["network.hidden[*].dropout"]: expected a number, got the text \'0.3\''),
    (one(label="b", set={"network.hidden[*].dropout": True}),
     'lesson.study.variants[1].set["network.hidden[*].dropout"]: expected a number, got true'),
    (one(label="b", set={"network.hidden[*].dropout": float("nan")}),
     'lesson.study.variants[1].set["network.hidden[*].dropout"]: nan is not a finite number'),
    (one(label="b", set={"training.epochs": 10**400}),
     'lesson.study.variants[1].set["training.epochs"]: a whole number beyond the range of numbers (±1.8e308)'),
    (lesson_file({"kind": "cv", "variants": VARIANTS}),
     "lesson.study.variants: unknown field (allowed here: folds, kind)"),
    (lesson_file({"kind": "compare", "folds": 3}), "lesson.study.folds: unknown field (allowed here: kind, variants)"),
])
def test_a_bad_variant_is_refused_in_one_line_naming_the_field(d, message):
    with pytest.raises(SpecError) as caught:
        Experiment.from_dict(d)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_a_json_file_with_variants_reads_and_its_errors_say_where():
    text = json.dumps(compare([{"label": "L2", "set": {"network.hidden[*].kernel_regularizer.l2": 0.01}}]))
    assert experiment_from_json(text).lesson.study["variants"][0]["label"] == "L2"
    with pytest.raises(SpecError, match=r'^lesson\.study\.variants\[0\]\.set\["network\.input_dropout"\]: nan '):
        experiment_from_json(text.replace('"network.hidden[*].kernel_regularizer.l2": 0.01',
                                          '"network.input_dropout": NaN'))
