"""T-SCAF: a tree-style multi-task network for driver fatigue detection and face recognition.

Qu, Gao, Chen, Li, Wang and Wu, "Multi-Task Learning for Fatigue Detection and Face Recognition
of Drivers via Tree-Style Space-Channel Attention Fusion Network" (source document 003): a
shared root backbone, then one LASE-Net branch per task with its head; trained from two
single-task data sets by alternating updates or by gradient accumulation.

Modules: :mod:`blocks` (LANet, SENet, LASE-Net, heads, sub-centre ArcFace), :mod:`roots`
(MobileNetV2- and IResNet-style roots), :mod:`model` (the tree and the parallel pair),
:mod:`faces` (the face generator), :mod:`data` (the three data sets), :mod:`folders` and
:mod:`images` (a user's aligned face crops), :mod:`splits` (driver-wise folds, the paper's
frame-leaky 9:1), :mod:`lfw` (the verification protocol and its files), :mod:`train` (both
training schemes), :mod:`baselines` (trivial and classical rows), :mod:`costs` (parameters and
FLOPs), :mod:`gradcam`, :mod:`report`, :mod:`claims` and :mod:`findings` (tables and verdicts,
no torch).
"""
