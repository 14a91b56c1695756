"""Schedule families: one module per group of related shapes."""
