"""Neural network building blocks shared by the workflow's parts."""
