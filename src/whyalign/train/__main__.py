"""``python -m whyalign.train STAGE ...`` (and ``accelerate launch -m whyalign.train ...``)."""

from .run import main

if __name__ == "__main__":
    raise SystemExit(main())
