"""The model organism: a tiny model with a misaligned prior, built offline."""
