"""What every stage shares: the model, settings, diagnostics, bounded processes, kept results."""
