"""Small helpers every layer may call. Nothing here imports an app of ours (import-linter)."""
