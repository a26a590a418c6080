"""The compare study's variants: what regularizes an experiment, said exactly, and the variants to compare it with.

- :func:`regularization_label`: every mechanism of an experiment in a few words ("L2 λ=0.001 + max-norm 3").
- :func:`classic_variants`: up to 4 variants around the experiment's own mechanism (the rule is in its docstring).
- :func:`lesson_variants`: a lesson's own variants, each the experiment with some fields set.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.spec import (
    MAX_COMPARE_VARIANTS,
    REGULARIZER_FIELDS,
    Experiment,
    OutputLayer,
    Regularizer,
    SpecError,
    set_path,
)

MAX_VARIANTS = MAX_COMPARE_VARIANTS
CLASSIC_L2 = 1e-3  # λ of the classic set's added L2 penalties when the experiment has no kernel L2 of its own
CLASSIC_DROPOUT = 0.3  # rate of the classic set's added dropout when the experiment has none


def _without_dropout(exp: Experiment) -> Experiment:
    new = exp.copy()
    new.network.input_dropout = 0.0
    for layer in new.network.hidden:
        layer.dropout = 0.0
    return new


def _without_penalties(exp: Experiment, kinds: tuple[str, ...] = REGULARIZER_FIELDS) -> Experiment:
    new = exp.copy()
    for layer in new.network.hidden:
        for kind in kinds:
            setattr(layer, kind, None)
    return new


def _without_regularization(exp: Experiment) -> Experiment:
    """No penalty, no dropout, no weight decay, no label smoothing and none of the layer mechanisms (max-norm, noise,
    batch norm, output penalties); early stopping stays, as in every variant."""
    new = _without_layer_mechanisms(_without_penalties(_without_dropout(exp)))
    new.training.weight_decay = new.training.label_smoothing = 0.0
    return new


# The layer mechanisms: max-norm, Gaussian noise (on a hidden layer or the inputs), batch norm, Gaussian dropout and
# the output layer's penalties. A compare study contrasts them with the rest of the experiment's regularization.


def _has_output_penalty(exp: Experiment) -> bool:
    out = exp.network.output
    return any(r is not None and r.kind != "none" for r in (out.kernel_regularizer, out.bias_regularizer))


def _has_unit_mechanism(exp: Experiment) -> bool:
    """Max-norm, noise or batch norm on a hidden layer."""
    return any(h.max_norm is not None or h.noise or h.batch_norm for h in exp.network.hidden)


def _has_gaussian_dropout(exp: Experiment) -> bool:
    return exp.network.dropout_style == "gaussian" and _has_dropout(exp)


def _has_layer_mechanism(exp: Experiment) -> bool:
    return (_has_unit_mechanism(exp) or bool(exp.network.input_noise) or _has_output_penalty(exp)
            or _has_gaussian_dropout(exp))


def _without_layer_mechanisms(exp: Experiment) -> Experiment:
    """``exp`` without max-norm, noise, batch norm and output penalties; Gaussian dropout becomes (inverted) dropout
    at the same rates (without dropout the style stays: a partner's dropout added later takes it)."""
    new = exp.copy()
    new.network.input_noise = 0.0
    new.network.output = OutputLayer()
    if _has_gaussian_dropout(new):
        new.network.dropout_style = "inverted"
    for layer in new.network.hidden:
        layer.max_norm, layer.noise, layer.batch_norm = None, 0.0, False
    return new


def _layer_mechanisms_alone(exp: Experiment) -> Experiment:
    """``exp`` without its hidden penalties, weight decay and label smoothing, and without its dropout unless it is
    Gaussian dropout: its layer mechanisms alone."""
    new = _without_penalties(exp if _has_gaussian_dropout(exp) else _without_dropout(exp))
    new.training.weight_decay = new.training.label_smoothing = 0.0
    return new


def _partner(exp: Experiment) -> Callable[[Experiment], Experiment]:
    """What the layer mechanisms are classically paired with: dropout (CLASSIC_DROPOUT after every hidden layer) for
    max-norm (Srivastava et al. 2014), noise on the units or batch norm, when the experiment has no dropout; else
    L2 λ = CLASSIC_L2 on every hidden kernel (input noise acts like an L2 penalty; output penalties extend it)."""
    if _has_unit_mechanism(exp) and not _has_dropout(exp):
        return lambda e: _with_dropout(e, CLASSIC_DROPOUT)
    return lambda e: _with_kernels(e, lambda _: Regularizer(0.0, CLASSIC_L2))


def _layer_mechanism_contrasts(exp: Experiment) -> list[Experiment]:
    """Without the layer mechanisms, with them alone; then them plus their partner, and the partner alone (these two
    matter when the layer mechanisms are all the experiment has: the first two are then "none" and the experiment)."""
    partner, alone = _partner(exp), _layer_mechanisms_alone(exp)
    return [_without_layer_mechanisms(exp), alone, partner(alone), partner(_without_regularization(exp))]


def _with_dropout(exp: Experiment, rate: float) -> Experiment:
    """``exp`` with dropout ``rate`` after every hidden layer (its input dropout as it is)."""
    new = exp.copy()
    for layer in new.network.hidden:
        layer.dropout = rate
    return new


def _with_kernels(exp: Experiment, make: Callable[[Regularizer | None], Regularizer | None]) -> Experiment:
    """``exp`` with every hidden layer's kernel regularizer replaced by ``make(its regularizer)``."""
    new = exp.copy()
    for layer in new.network.hidden:
        layer.kernel_regularizer = make(layer.kernel_regularizer)
    return new


def _kernel_kinds(exp: Experiment) -> set[str]:
    return {h.kernel_regularizer.kind for h in exp.network.hidden if h.kernel_regularizer is not None} - {"none"}


def _has_dropout(exp: Experiment) -> bool:
    return bool(exp.network.input_dropout or any(h.dropout for h in exp.network.hidden))


def _has_penalty(exp: Experiment, kinds: tuple[str, ...] = REGULARIZER_FIELDS) -> bool:
    return any(getattr(h, kind) is not None and getattr(h, kind).kind != "none"
               for h in exp.network.hidden for kind in kinds)


def _own_l2(exp: Experiment) -> float:
    """The experiment's first kernel L2 λ, else CLASSIC_L2."""
    return next((h.kernel_regularizer.l2 for h in exp.network.hidden
                 if h.kernel_regularizer is not None and h.kernel_regularizer.l2), CLASSIC_L2)


def _plus_penalty(exp: Experiment, source: Experiment) -> Experiment:
    """``exp`` as it is when ``source`` has penalties of its own, else with L2 λ = CLASSIC_L2 on every kernel."""
    return exp if _has_penalty(source) else _with_kernels(exp, lambda _: Regularizer(0.0, CLASSIC_L2))


def _plus_dropout(exp: Experiment, source: Experiment) -> Experiment:
    """``exp`` as it is when ``source`` has dropout of its own, else with CLASSIC_DROPOUT after every hidden layer."""
    return exp if _has_dropout(source) else _with_dropout(exp, CLASSIC_DROPOUT)


def _dropout_alone(exp: Experiment) -> Experiment:
    return _plus_dropout(_without_penalties(exp), exp)


def _as_l1(reg: Regularizer | None) -> Regularizer | None:
    return Regularizer(reg.l1 + reg.l2, 0.0) if reg is not None and reg.kind != "none" else reg


def _as_l2(reg: Regularizer | None) -> Regularizer | None:
    return Regularizer(0.0, reg.l1 + reg.l2) if reg is not None and reg.kind != "none" else reg


def _l1_as_l2(reg: Regularizer | None) -> Regularizer | None:
    return Regularizer(0.0, reg.l1) if reg is not None and reg.kind == "L1" else reg


def _penalty_text(reg: Regularizer, prefix: str = "") -> str:
    terms = [f"{name} λ={lam:g}" for name, lam in (("L1", reg.l1), ("L2", reg.l2)) if lam]
    return prefix + " + ".join(terms)


def _dropout_text(rate: float, style: str) -> str:
    return f"Gaussian dropout {rate:g}" if style == "gaussian" else f"dropout {rate:g}"


def _layer_text(layer, style: str) -> str:
    """A hidden layer's mechanisms in the order they act: penalties, max-norm, batch norm, noise, dropout."""
    parts = [_penalty_text(reg, prefix) for reg, prefix in ((layer.kernel_regularizer, ""),
                                                          (layer.bias_regularizer, "bias "),
                                                          (layer.activity_regularizer, "activity "))
             if reg is not None and reg.kind != "none"]
    if layer.max_norm is not None:
        parts.append(f"max-norm {layer.max_norm:g}")
    if layer.batch_norm:
        parts.append("batch norm")
    if layer.noise:
        parts.append(f"noise σ={layer.noise:g}")
    if layer.dropout:
        parts.append(_dropout_text(layer.dropout, style))
    return " + ".join(parts)


def _input_text(net) -> list[str]:
    parts = [f"input noise σ={net.input_noise:g}"] if net.input_noise else []
    if net.input_dropout:
        parts.append("input " + _dropout_text(net.input_dropout, net.dropout_style))
    return parts


def _output_text(out: OutputLayer) -> list[str]:
    parts = [_penalty_text(reg, prefix) for reg, prefix in ((out.kernel_regularizer, "output "),
                                                          (out.bias_regularizer, "output bias "))
             if reg is not None and reg.kind != "none"]
    return [" + ".join(parts)] if parts else []


def regularization_label(exp: Experiment) -> str:
    """What regularizes ``exp``, exactly: "L1 λ=0.001", "L2 λ=0.001 + dropout 0.5", "max-norm 3 + noise σ=0.1",
    "none".

    Said once when every hidden layer has the same; else per layer ("h1: L2 λ=0.003 · h2: none"); a layer's
    mechanisms in the order they act (penalties, "max-norm 3", "batch norm", "noise σ=0.1", "dropout 0.3" or
    "Gaussian dropout 0.3"). The inputs' noise and dropout come first ("input noise σ=0.2 · input dropout 0.2 · …"),
    then the layers, the output layer's penalties ("output L2 λ=0.01", "output bias L1 λ=0.001"), weight decay and
    label smoothing. Kernel penalties have no prefix; bias and activity ones say so.
    """
    net = exp.network
    layers = [_layer_text(layer, net.dropout_style) for layer in net.hidden]
    if len(set(layers)) == 1:
        parts = [layers[0]] if layers[0] else []
    else:
        parts = [f"h{i}: {text or 'none'}" for i, text in enumerate(layers, start=1)]
    parts = [*_input_text(net), *parts, *_output_text(net.output)]
    if exp.training.weight_decay:
        parts.append(f"weight decay {exp.training.weight_decay:g}")
    if exp.training.label_smoothing:
        parts.append(f"label smoothing {exp.training.label_smoothing:g}")
    return " · ".join(parts) or "none"


def _without_decay(exp: Experiment) -> Experiment:
    new = exp.copy()
    new.training.weight_decay = 0.0
    return new


def _l2_instead_of_decay(exp: Experiment) -> Experiment:
    """L2 λ = weight_decay / 2 on every hidden kernel in place of the decay: the same steps with plain SGD, not with
    Adam (lesson 12)."""
    lam = exp.training.weight_decay / 2
    return _without_decay(_with_kernels(exp, lambda _: Regularizer(0.0, lam)))


def _contrasts(exp: Experiment) -> list[Experiment]:
    """The natural contrasts of the experiment's own regularization (the rule is :func:`classic_variants`')."""
    if _has_layer_mechanism(exp):
        return _layer_mechanism_contrasts(exp)
    kinds = _kernel_kinds(exp)
    if "L1+L2" in kinds:
        return [_with_kernels(exp, _as_l1), _with_kernels(exp, _as_l2)]
    if "L1" in kinds:
        return [_with_kernels(exp, _l1_as_l2), _dropout_alone(exp)]
    if _has_penalty(exp, ("activity_regularizer",)):
        lam = _own_l2(exp)
        instead = _with_kernels(_without_penalties(exp, ("activity_regularizer",)), lambda _: Regularizer(0.0, lam))
        return [instead, _dropout_alone(exp)]
    if exp.training.weight_decay and not _has_penalty(exp):
        return [_l2_instead_of_decay(exp), _without_decay(_dropout_alone(exp))]
    return [_plus_penalty(_without_dropout(exp), exp), _dropout_alone(exp), _plus_penalty(_plus_dropout(exp, exp), exp)]


def classic_variants(exp: Experiment) -> list[tuple[str, Experiment]]:
    """Up to 4 variants around the experiment's own regularization, each labelled by what regularizes it.

    Always first "none" (no regularization at all) and second the experiment as it is; then the natural contrasts
    of its own mechanism, the first that applies of:

    - a layer mechanism (max-norm, noise on a hidden layer or the inputs, batch norm, Gaussian dropout, an output
      penalty): the experiment without its layer mechanisms (Gaussian dropout becomes dropout at the same rates),
      then its layer mechanisms alone (without its hidden penalties, weight decay and label smoothing, and without
      its dropout unless that is Gaussian dropout). When they are all it has, those two are "none" and the
      experiment, and the contrasts are them plus a partner, then the partner alone: dropout 0.3 after every
      hidden layer for max-norm (as Srivastava et al. 2014 used it), noise on a hidden layer or batch norm when the
      experiment has no dropout; else L2 λ = 1e-3 on every hidden kernel (for input noise, output penalties,
      Gaussian dropout) — for max-norm 3: none / max-norm 3 / max-norm 3 + dropout 0.3 / dropout 0.3;
    - elastic net (a kernel penalty with both L1 and L2): L1 at l1 + l2 and L2 at l1 + l2, in place of every
      kernel penalty;
    - L1 on a kernel: L2 at the same λ in place of every L1 kernel penalty; dropout alone;
    - an activity penalty: a kernel L2 penalty on every hidden layer in its place (λ = the experiment's kernel
      L2 λ, else 1e-3); dropout alone;
    - weight decay and no penalty: L2 λ = weight_decay / 2 on every hidden kernel in its place (the same steps with
      plain SGD); dropout alone, without the decay;
    - anything else (kernel L2, a bias penalty, dropout, or nothing): the 2 × 2 grid of P (its penalties, else L2
      λ = 1e-3 on every hidden kernel) and D (its dropout, else rate 0.3 after every hidden layer): P alone, D
      alone, P + D — for an L2 experiment none / L2 / dropout / L2 + dropout.

    "Dropout alone" is the experiment without its penalties, with its own dropout, else rate 0.3 after every
    hidden layer. The other mechanisms of the experiment stay as they are in a contrast, so each variant differs
    from the experiment in its regularization only (batch norm included): the data, the layers' units and
    activations, the seed and the training settings are the experiment's, early stopping included (kept in every
    variant when the experiment has it). A variant that would be the same as an earlier one is left out (no hidden
    layers: "none" alone, unless the inputs or the output layer are regularized).
    """
    candidates = [_without_regularization(exp), exp.copy(), *_contrasts(exp)]
    variants: list[tuple[str, Experiment]] = []
    for variant in candidates:
        label = regularization_label(variant)
        if all(label != seen for seen, _ in variants):
            variants.append((label, variant))
    return variants[:MAX_VARIANTS]


def lesson_variants(exp: Experiment, variants: list[dict]) -> list[tuple[str, Experiment]]:
    """A lesson's own variants (``lesson.study.variants``): each ``exp`` with the fields of its ``set`` changed.

    ``set`` maps field paths (as :func:`engine.spec.set_path` reads them) to numbers, applied in order; a path
    or value the experiment does not allow raises SpecError naming the variant and the path.
    """
    out = []
    for i, variant in enumerate(variants):
        new = exp.copy()
        for path, value in variant["set"].items():
            try:
                new = set_path(new, path, value)
            except SpecError as exc:
                raise SpecError(f'lesson.study.variants[{i}].set["{path}"]: {exc}') from None
        out.append((variant["label"], new))
    return out


def compare_title(variants: list[tuple[str, Experiment]]) -> str:
    """The study's heading: the variants' labels, and "(each with early stopping)" when every variant has it on.

    The labels name penalties and dropout only, so the heading is where early stopping is said.
    """
    title = "Compare: " + " / ".join(label for label, _ in variants)
    if all(exp.training.early_stopping is not None for _, exp in variants):
        title += " (each with early stopping)"
    return title


