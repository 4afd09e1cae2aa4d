"""Fine-tuning for drowsiness (KSS) prediction (theses 000/001); so far its measures."""
