"""pytest plugin: emulated-cloud fixtures (filled in by the emulator work)."""
