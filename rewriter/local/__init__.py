"""The embedded local model: its file, assembled and verified, and its shared server."""
