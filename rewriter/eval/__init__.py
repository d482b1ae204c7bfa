"""The eval harness: golden cases, scorers, runs with repeats, offline replay, reports, comparison."""
