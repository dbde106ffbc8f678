"""Recording: sources, simulator, recorder supervisor, sealing, index, outages, retention,
storage roots, playback. The invariants are written in ``docs/design/recording.md``."""
