"""The datasets recbench knows by name: MovieLens (ml-latest-small, ml-100k, ml-1m to ml-32m),
their GroupLens downloads, and seeded synthetic data of their shapes."""
