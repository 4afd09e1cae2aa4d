"""Plumbing every part uses: configuration, errors, files, logs, paths, device, seeding,
checkpoints, downloads and the reproducibility manifest. Imports nothing above it."""
