"""The settlement engine: pure functions from bill columns, policies and starting accumulators to payments."""
