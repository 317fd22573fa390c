"""Evaluation of one fitted algorithm on one fold: the protocol (candidates, relevance, ties),
rating and ranking evaluation, the ranking kernels and the recommendation lists."""
