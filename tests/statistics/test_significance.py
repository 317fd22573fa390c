import numpy as np
import pandas as pd
import pytest
from scipy import stats

from recbench.statistics.significance import holm, paired_tests


def test_holm_hand_computed():
    # sorted p: 0.01*3=0.03, 0.02*2=0.04, 0.04*1=0.04 -> running max -> 0.03, 0.04, 0.04
    assert holm([0.04, 0.01, 0.02]).tolist() == pytest.approx([0.04, 0.03, 0.04])
    assert holm([0.5, 0.6]).tolist() == pytest.approx([1.0, 1.0])


def test_paired_tests_match_scipy(rng):
    users = [str(u) for u in range(40)]
    a = rng.normal(0.5, 0.1, 40)
    b = a - 0.05 + rng.normal(0, 0.02, 40)
    c = a + rng.normal(0, 0.1, 40)
    frame = pd.concat([pd.DataFrame({"algorithm": n, "fold": "f1", "user": users, "m": v})
                       for n, v in (("a", a), ("b", b), ("c", c))])
    table = paired_tests(frame, "m")
    row = table[(table.a == "a") & (table.b == "b")].iloc[0]
    assert row.wilcoxon_p == pytest.approx(stats.wilcoxon(a, b).pvalue)
    assert row.ttest_p == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert row.mean_diff == pytest.approx(np.mean(a - b))
    assert table.wilcoxon_p_holm.tolist() == pytest.approx(holm(table.wilcoxon_p).tolist())
    assert row.wilcoxon_p_holm < 0.05
