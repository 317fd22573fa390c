"""Equal-budget hyperparameter tuning with Optuna, nested inside every training fold.

    import recbench
    run = recbench.run("ml-100k", ["svd", "ease"], split="u1", data_dir="../shared/datasets",
                       tune=recbench.Tuning(trials=20, objective="ndcg@10"))

For every fold and every algorithm with a search space (``search_space`` on its class, see
:mod:`recbench.tuning.space`), the job of the row ``<label> (tuned)``:

1. carves a validation part out of the training fold (per user, a seeded random share of the
   user's training ratings); the test fold is not given to the tuner at all;
2. runs ``trials`` trials one after the other (:mod:`recbench.tuning.study`): trial 0 is the
   algorithm's defaults, the others are sampled by Optuna's TPE sampler seeded from the run's
   seed; each trial is fitted on the rest of the training fold and scored on the validation
   part with the test evaluation's own rules (:mod:`recbench.tuning.nested`);
3. refits the best trial's parameters on the whole training fold and evaluates them once on
   the test fold, through the normal job path.

Every tuned algorithm gets the same number of trials. The search space, budget, sampler,
seeds, best parameters and value and every trial are kept in the run record (``tuning``) and
in ``trials.csv``; ``tune_time_s`` is the tuning time per fold. With a job store, trials are
kept in an Optuna journal as they finish, so an interrupted run resumes where it stopped.
"""

from recbench.algorithms.params import Choice, FloatRange, IntRange
from recbench.tuning.settings import TunedSpec, Tuning

__all__ = ["Tuning", "TunedSpec", "IntRange", "FloatRange", "Choice"]
