"""The shared roots of T-SCAF: a MobileNetV2-style and an IResNet-style backbone.

Both map 112 x 112 images (B, 3, 112, 112) to a feature map (B, C, H, W) that the two branches
share; their classifier layers are left off (the branches replace them). Written here because
torchvision cannot be installed beside the local PyTorch build.

Every root in :data:`ROOTS` takes a config dict (see :func:`build_root`).
"""

from __future__ import annotations

import torch
from torch import nn

# MobileNetV2's stage table (expansion t, channels c, repeats n, stride s), Sandler et al. 2018.
MOBILENET_STAGES = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]
# IResNet depths -> blocks per stage (Duta et al. 2020; insightface's iresnet); 10 is a tiny one.
IRESNET_LAYERS = {10: [1, 1, 1, 1], 18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 14, 3]}


def _divisible(value: float, divisor: int = 8) -> int:
    return max(divisor, int(value + divisor / 2) // divisor * divisor)


class InvertedResidual(nn.Module):
    """Expand (1x1), depthwise 3x3, project (1x1, linear); residual when shapes allow."""

    def __init__(self, cin: int, cout: int, stride: int, expansion: int):
        super().__init__()
        hidden = cin * expansion
        layers: list[nn.Module] = []
        if expansion != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(),
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return x + out if self.residual else out


class MobileNetV2Root(nn.Module):
    """MobileNetV2 features: stem conv, inverted residual stages, final 1x1 conv.

    Sandler, Howard, Zhu, Zhmoginov and Chen (2018), "MobileNetV2: Inverted residuals and linear
    bottlenecks", CVPR. ``stages`` keeps the first stages of the table (7 = the full network);
    ``width`` is the width multiplier; ``last_channels`` the final 1x1 conv (1280 in the paper,
    0 for none).

    Args:
        width: width multiplier.
        stages: how many rows of the stage table to keep (1-7).
        last_channels: channels of the final 1x1 conv (0 to leave it off).
    """

    def __init__(self, width: float = 1.0, stages: int = 7, last_channels: int = 1280):
        super().__init__()
        cin = _divisible(32 * width)
        layers: list[nn.Module] = [
            nn.Conv2d(3, cin, 3, 2, 1, bias=False),
            nn.BatchNorm2d(cin),
            nn.ReLU6(),
        ]
        for t, c, n, s in MOBILENET_STAGES[:stages]:
            cout = _divisible(c * width)
            for i in range(n):
                layers.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        if last_channels:
            cout = _divisible(last_channels * max(1.0, width))
            layers += [nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6()]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.out_channels = cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, H, W) -> (B, C, H / 2^k, W / 2^k)."""
        return self.features(x)


class IBasicBlock(nn.Module):
    """BN, 3x3 conv, BN, PReLU, 3x3 conv (stride), BN; plus the (downsampled) input."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(cin),
            nn.Conv2d(cin, cout, 3, 1, 1, bias=False),
            nn.BatchNorm2d(cout),
            nn.PReLU(cout),
            nn.Conv2d(cout, cout, 3, stride, 1, bias=False),
            nn.BatchNorm2d(cout),
        )
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + (x if self.down is None else self.down(x))


class IResNetRoot(nn.Module):
    """IResNet features (ArcFace's backbone) without its output layer.

    Duta, Liu, Zhu and Shao (2020), "Improved residual networks for image and video
    recognition", ICPR; in the form of insightface's iresnet used by ArcFace (Deng et al.
    2022): a 3x3 stem at full resolution, four stages of improved basic blocks, each halving
    the resolution (112 -> 7).

    Args:
        depth: 10, 18, 34 or 50 (50 in document 003).
        width: channels of the first stage (64 in the paper; 128, 256, 512 after).
    """

    def __init__(self, depth: int = 50, width: int = 64):
        super().__init__()
        if depth not in IRESNET_LAYERS:
            raise ValueError(f"depth must be one of {sorted(IRESNET_LAYERS)}, got {depth}")
        layers: list[nn.Module] = [
            nn.Conv2d(3, width, 3, 1, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.PReLU(width),
        ]
        cin = width
        for stage, blocks in enumerate(IRESNET_LAYERS[depth]):
            cout = width * 2**stage
            for i in range(blocks):
                layers.append(IBasicBlock(cin, cout, 2 if i == 0 else 1))
                cin = cout
        self.features = nn.Sequential(*layers)
        self.out_channels = cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, H, W) -> (B, 8 * width, H / 16, W / 16)."""
        return self.features(x)


def build_root(cfg: dict) -> nn.Module:
    """A root from the ``tree.root`` config: name plus its own keys."""
    if cfg["name"] == "MobileNetV2Root":
        m = cfg["mobilenet"]
        return MobileNetV2Root(m["width"], m["stages"], m["last_channels"])
    if cfg["name"] == "IResNetRoot":
        return IResNetRoot(cfg["iresnet"]["depth"], cfg["iresnet"]["width"])
    raise ValueError(f"unknown root {cfg['name']!r} (expected one of {sorted(ROOTS)})")


ROOTS = {"MobileNetV2Root": MobileNetV2Root, "IResNetRoot": IResNetRoot}
