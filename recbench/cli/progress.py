"""The progress bar of `recbench run` (tqdm, on stderr)."""

from __future__ import annotations

import sys


class Progress:
    """A tqdm bar over the (algorithm, fold) jobs, on stderr; silent with --quiet."""

    def __init__(self, quiet: bool):
        self.quiet, self.bar = quiet, None

    def __enter__(self):
        return self

    def __call__(self, job, total: int):
        if self.quiet:
            return
        if self.bar is None:
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc="jobs", unit="job", file=sys.stderr,
                            dynamic_ncols=True)
        if job is None:
            return
        self.bar.set_postfix_str(f"{job.algorithm} {job.fold}")
        self.bar.update(1)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
