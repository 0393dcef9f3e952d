"""Cross-region treatment: what to do first, whether a bill is settled directly, how to claim."""
