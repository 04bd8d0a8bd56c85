//! Runs every collector on its own interval with its own deadline and publishes its batches.
