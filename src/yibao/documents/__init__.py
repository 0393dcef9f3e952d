"""The public documents: a bill in, a settlement out (JSON, with published JSON Schemas)."""
