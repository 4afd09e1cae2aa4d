"""T-SCAF: a tree-style multi-task network for driver fatigue detection and face recognition.

Qu, Gao, Chen, Li, Wang and Wu, "Multi-Task Learning for Fatigue Detection and Face Recognition
of Drivers via Tree-Style Space-Channel Attention Fusion Network" (source document 003): a
shared root backbone, then one LASE-Net branch per task with its head; trained from two
single-task data sets by alternating updates or by gradient accumulation.

Modules: :mod:`blocks` (LANet, SENet, LASE-Net, heads, sub-centre ArcFace), :mod:`roots`
(MobileNetV2- and IResNet-style roots), :mod:`model` (the tree and the parallel pair),
:mod:`faces` (the face generator), :mod:`data` (data sets and real-data adapters),
:mod:`lfw` (the verification protocol), :mod:`train` (both training schemes), :mod:`costs`
(parameters and FLOPs), :mod:`gradcam`, :mod:`report` (tables, no torch).
"""
