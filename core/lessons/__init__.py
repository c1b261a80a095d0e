"""One module folder per lesson: what each panel computes, built on the engine and the data."""
