"""The estimator page for insured people, served by `yibao serve` at /."""
