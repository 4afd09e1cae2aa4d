"""Self-supervised pre-training by masked modelling on blink-feature sequences (thesis 000/001)."""
