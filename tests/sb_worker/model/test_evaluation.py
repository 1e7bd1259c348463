import numpy as np

from sb_worker.model.evaluation import at_threshold, pr_auc, recall_at_precision, reliability, report, roc_auc


def test_roc_auc_known_cases():
    y = np.array([0, 0, 1, 1.0])
    assert roc_auc(y, np.array([1, 2, 3, 4.0])) == 1.0
    assert roc_auc(y, np.array([4, 3, 2, 1.0])) == 0.0
    assert roc_auc(y, np.array([1, 1, 1, 1.0])) == 0.5


def test_pr_auc_and_recall_at_precision():
    y, s = np.array([1, 0, 1, 0.0]), np.array([4, 3, 2, 1.0])
    assert pr_auc(y, s) == (1.0 * 0.5 + (2 / 3) * 0.5)
    assert recall_at_precision(y, s, 0.99) == (0.5, 4.0)
    assert recall_at_precision(np.array([0, 1.0]), np.array([2, 1.0]), 0.99) == (0.0, None)


def test_threshold_confusion_and_reliability():
    y = np.array([0, 0, 1, 1.0])
    assert at_threshold(y, np.array([10, 60, 70, 40.0]), 50)["confusion"] == {
        "true_spam": 1, "false_spam": 1, "missed_spam": 1, "true_ham": 1}
    bands = reliability(np.array([0, 1, 1, 1.0]), np.array([0.05, 0.95, 0.92, 0.97]))
    assert [b["band"] for b in bands] == ["0.0-0.1", "0.9-1.0"] and bands[1]["observed"] == 1.0
    assert report(y, np.array([1, 2, 3, 4.0]), 2.5, None)["review"]["precision"] == 1.0
