"""Training data: text sources -> passages -> spoken questions -> synthesized, augmented audio."""
