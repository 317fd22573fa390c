"""Top-N models on the binary user x item interaction matrix (ranking only): ItemKNN, UserKNN,
EASE, RP3beta, PureSVD, iALS and BPR, one module per model."""
