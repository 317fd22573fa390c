"""The ranking kernels: ``dense`` (the reference, users x catalog arrays) and ``fused`` (one
compiled pass per user). Both break ties by the same hashed keys (``ties``), so they give the
same values."""
