"""whyalign: evaluate agentic misalignment and train the *why* that generalises."""

__version__ = "0.1.0"
