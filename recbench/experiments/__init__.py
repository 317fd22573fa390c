"""Experiments: the validated settings of a run, its (algorithm, fold) jobs, the job store that
makes runs resumable, the transfer study, and predictions made elsewhere (``external``)."""
