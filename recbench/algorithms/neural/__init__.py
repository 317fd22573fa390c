"""scikit-learn MLPs over (user, item) pair features, and the features themselves."""
