"""What regularizes the network without being a term of J, as the rules RegLab's run applies (Keras 3.15's):
weight decay and max-norm act on the weights after each step; dropout, Gaussian noise and batch normalization act on
the activations. Each function returns "" when its mechanism is not in use, so the panel shows only those that are.
"""

from __future__ import annotations

from engine.spec import Experiment
from gui.live.formula_terms import number, subscript

RULES_HEADING = "Rules, not loss terms — none of these adds anything to J:"
# Keras' own constants, checked against the installed Keras by tests/gui/test_family_objective.py
MAX_NORM_EPSILON = "10⁻⁷"  # keras.config.epsilon(), in MaxNorm's denominator
BN_EPSILON = 0.001  # BatchNormalization(epsilon=1e-3), the default the engine builds with
BN_MOMENTUM = 0.99  # BatchNormalization(momentum=0.99)

SAME_EXPECTATION = ("Either way the expected activation is the same in training and at test time "
                    "(inverted: x both times; classic: (1−p)·x both times); the next layer's weights absorb "
                    "the constant (1−p) between the two styles.")
GAUSSIAN_EXPECTATION = "As E[ξ] = 1, the expected activation is the same in training and at test time."


def layer_list(indices: list[int]) -> str:
    """0-based layer indices as a reader says them: "layer 1", "layers 1 and 3", "layers 1, 2 and 3"."""
    names = [str(i + 1) for i in indices]
    if len(names) == 1:
        return f"layer {names[0]}"
    return f"layers {', '.join(names[:-1])} and {names[-1]}"


def weight_decay_line(exp: Experiment) -> str:
    """Weight decay: not a term of J, but a shrink of every kernel at each step; "" without it."""
    t = exp.training
    if not t.weight_decay:
        return ""
    lr, wd = number(t.learning_rate), number(t.weight_decay)
    factor = 1 - t.learning_rate * t.weight_decay
    spared = "biases (and batch norm's γ and β) are" if any(h.batch_norm for h in exp.network.hidden) else "biases are"
    line = (f"Weight decay {wd} adds no term to J: it is decoupled from the gradient. At each step, before the "
            f"optimizer's gradient update, every kernel shrinks, W ← W − lr·wd·W = W·(1 − {lr}·{wd}) = "
            f"W·{factor:.6g}; {spared} not decayed.")
    if t.optimizer == "adam":
        line += " With Adam this is AdamW."
    elif t.optimizer == "sgd":
        line += (f" With SGD it takes the same steps as an L2 penalty of λ = wd/2 = {number(t.weight_decay / 2)} "
                 "on every kernel (Keras' L2 has no ½), without adding it to J.")
    return line


def max_norm_line(exp: Experiment) -> str:
    """Keras' MaxNorm(c, axis=0), applied by the optimizer after every update; "" when no layer has it."""
    bounded = [f"layer {i + 1} (c = {number(h.max_norm)})" for i, h in enumerate(exp.network.hidden)
               if h.max_norm is not None]
    if not bounded:
        return ""
    return ("Max-norm, after every step: W[:, j] ← W[:, j]·min(‖W[:, j]‖, c)/(ε + ‖W[:, j]‖) for each unit j of "
            f"{' and of '.join(bounded)}, ε = {MAX_NORM_EPSILON}: a unit whose incoming weights are longer than c "
            "is scaled back to length c (to within ε).")


def dropout_line(exp: Experiment) -> str:
    """Where the network drops units, and how its dropout style scales them; "" when there is no dropout."""
    rates = [("the input", exp.network.input_dropout)] if exp.network.input_dropout else []
    rates += [(f"layer {i + 1}", h.dropout) for i, h in enumerate(exp.network.hidden) if h.dropout]
    if not rates:
        return ""
    where = ", ".join(f"{number(p)} on {name}" for name, p in rates)
    style = exp.network.dropout_style
    if style == "gaussian":
        return f"Gaussian dropout {where} (adds no term to J). {_gaussian_how(rates)}"
    if len(rates) == 1:
        rate = rates[0][1]
        p = number(rate)
        scale, keep = f"1/(1−{p}) = ×{1 / (1 - rate):.3g}", f"(1−{p}) = ×{1 - rate:.3g}"
    else:
        p, scale, keep = "p", "1/(1−p)", "(1−p)"
    head = f"Dropout {where} (adds no term to J)."
    if style == "classic":
        how = (f"Classic dropout (textbook): while training, each unit is kept with probability 1−{p} and kept "
               f"units are not scaled; at test time every output is multiplied by {keep}.")
    else:
        how = (f"Inverted dropout (as Keras): while training, each unit is kept with probability 1−{p} and "
               f"survivors are scaled by {scale}; at test time nothing changes.")
    return f"{head} {how}"


def _gaussian_how(rates: list[tuple[str, float]]) -> str:
    """Keras' GaussianDropout(p): a factor ξ of mean 1 and variance p/(1−p) per unit and example."""
    variance = "p/(1−p)"
    if len(rates) == 1:
        rate = rates[0][1]
        variance += f" = {number(rate)}/{number(1 - rate)} = {rate / (1 - rate):.3g}"
    return (f"Training only: h ← h · ξ, ξ ~ N(1, {variance}), a new ξ for every unit of every example; "
            f"no unit is switched off, and at test time nothing changes. {GAUSSIAN_EXPECTATION}")


def dropout_expectation(exp: Experiment) -> str:
    """Why training and test activations agree on average under inverted and classic dropout; "" without dropout
    (and for Gaussian dropout, whose line says it)."""
    if not dropout_line(exp) or exp.network.dropout_style == "gaussian":
        return ""
    return SAME_EXPECTATION


def noise_line(exp: Experiment) -> str:
    """Keras' GaussianNoise on the inputs and on layers' outputs; "" when every σ is 0."""
    net = exp.network
    places = []
    if net.input_noise:
        before = ", before input dropout" if net.input_dropout else ""
        places.append(f"the inputs (σ = {number(net.input_noise)}{before})")
    for i, h in enumerate(net.hidden):
        if h.noise:
            before = ", before its dropout" if h.dropout else ""
            places.append(f"layer {i + 1}'s output after its activation (σ = {number(h.noise)}{before})")
    if not places:
        return ""
    return (f"Gaussian noise, training only: h ← h + N(0, σ²) on {'; on '.join(places)}, drawn anew for every "
            "example at every step; nothing is added at evaluation.")


def batch_norm_line(exp: Experiment) -> str:
    """Keras' BatchNormalization() (its defaults) between a layer's Dense output z and its activation; "" without."""
    normalized = [i for i, h in enumerate(exp.network.hidden) if h.batch_norm]
    if not normalized:
        return ""
    rest = 1 - BN_MOMENTUM
    line = (f"Batch norm on {layer_list(normalized)}, between the Dense output z and the activation, per unit: "
            f"h ← γ·(z − μ_B)/√(σ_B² + {number(BN_EPSILON)}) + β while training (μ_B, σ_B² of the batch), moving "
            f"averages (momentum {number(BN_MOMENTUM)}) at evaluation: after every training step "
            f"μ ← {number(BN_MOMENTUM)}·μ + {number(round(rest, 12))}·μ_B, and σ² likewise. γ and β are learned.")
    seen_before = [i for i in normalized if exp.network.hidden[i].activity_regularizer is not None
                   and exp.network.hidden[i].activity_regularizer.kind != "none"]
    if seen_before:
        outputs = " and ".join(f"a{subscript(i)}" for i in seen_before)
        line += f" The activity term's {outputs} is this z, before batch norm."
    return line


#: how each rule's line begins: the panel sets the name in bold
RULE_NAMES = ("Weight decay", "Max-norm", "Gaussian dropout", "Dropout", "Either way", "Gaussian noise", "Batch norm")


def training_rules(exp: Experiment) -> list[str]:
    """The rules in use, weights first (weight decay, max-norm), then activations (dropout, noise, batch norm)."""
    lines = [weight_decay_line(exp), max_norm_line(exp), dropout_line(exp), dropout_expectation(exp),
             noise_line(exp), batch_norm_line(exp)]
    return [line for line in lines if line]
