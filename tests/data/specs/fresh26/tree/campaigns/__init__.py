"""Campaign tooling: UTM builder and per-client assets."""
