"""The closed forms the loop lab shows beside its runs."""
import math


def softmax_ce_floor(n_classes: int) -> float:
    """The lowest loss of F.cross_entropy on softmax outputs: probabilities lie in [0, 1], so the best a
    'logit' vector can do is 1 for the true class and 0 elsewhere, giving -ln(e / (e + C - 1))."""
    return math.log(math.e + n_classes - 1) - 1


def expected_initial_loss(n_classes: int) -> float:
    """Cross-entropy of a uniform guess over C classes: ln C, what step 0 should show."""
    return math.log(n_classes)


UPDATE_RATIO_RULE = 1e-3  # Karpathy's rule of thumb for std(lr·grad) / std(W) (makemore part 3), log10 ≈ −3
