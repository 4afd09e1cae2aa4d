"""The branch blocks of T-SCAF: LANet, SENet, LASE-Net, the fatigue head and the face head.

A branch is LASE-Net followed by a task head (source document 003, section 3). LASE-Net fuses
three parallel paths, Eq. (4): x_out = x + LANet(x) + SENet(x), where LANet weights every pixel
(space attention) and SENet every channel (channel attention). The ablation of Table 3 switches
either path off (``attention`` = none, se, la or both); with none the branch is the identity.

Every block in :data:`BLOCKS` takes a feature map (B, C, H, W); tests are parametrised over it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

ATTENTIONS = ("none", "se", "la", "both")


class LANet(nn.Module):
    """Space attention: 1x1 conv to C/r, ReLU, 1x1 conv to 1 channel, sigmoid; times x (Eq. 1).

    Wang and Guo (2020), "LS-CNN: Characterizing local patches at multiple scales for face
    recognition", IEEE TIFS 15, as adopted by document 003, section 3.3.

    Args:
        channels: C of the input.
        reduction: r; the hidden width is max(1, C // r).
    """

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.reduce = nn.Conv2d(channels, hidden, 1)
        self.expand = nn.Conv2d(hidden, 1, 1)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        """Att_space: (B, 1, H, W) in (0, 1)."""
        return torch.sigmoid(self.expand(F.relu(self.reduce(x))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> (B, C, H, W), the map broadcast over channels."""
        return self.attention(x) * x


class SENet(nn.Module):
    """Channel attention: global average pool, FC to C/16, ReLU, FC to C, sigmoid (Eq. 2-3).

    Hu, Shen and Sun (2018), "Squeeze-and-excitation networks", CVPR, as adopted by document
    003, section 3.4.

    Args:
        channels: C of the input.
        reduction: the hidden width is max(1, C // reduction) (16 in the paper).
    """

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.squeeze = nn.Linear(channels, hidden)
        self.excite = nn.Linear(hidden, channels)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        """Att_channel: (B, C, 1, 1) in (0, 1)."""
        weights = torch.sigmoid(self.excite(F.relu(self.squeeze(x.mean(dim=(2, 3))))))
        return weights[:, :, None, None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> (B, C, H, W), the weights broadcast over H and W."""
        return self.attention(x) * x


class LASENet(nn.Module):
    """x + LANet(x) + SENet(x): space-channel attention fusion with a residual (Eq. 4).

    Document 003, section 3.5. ``attention`` drops paths for the ablation of Table 3.

    Args:
        channels: C of the input.
        attention: none, se, la or both.
        la_reduction: r of LANet.
        se_reduction: reduction of SENet.
    """

    def __init__(
        self, channels: int, attention: str = "both", la_reduction: int = 16, se_reduction: int = 16
    ):
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}, got {attention!r}")
        self.la = LANet(channels, la_reduction) if attention in ("la", "both") else None
        self.se = SENet(channels, se_reduction) if attention in ("se", "both") else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> (B, C, H, W)."""
        out = x
        if self.la is not None:
            out = out + self.la(x)
        if self.se is not None:
            out = out + self.se(x)
        return out


class FatigueHead(nn.Module):
    """Global average pool, FC to one logit of 'drowsy'; trained with binary cross-entropy (Eq. 5).

    Document 003, section 4.2. ``features`` gives the vector before the last FC layer (the one
    the paper's t-SNE figure shows).

    Args:
        channels: C of the branch's feature map.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.fc = nn.Linear(channels, 1)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> (B, C)."""
        return x.mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> (B,) logits."""
        return self.fc(self.features(x)).squeeze(1)

    @staticmethod
    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Binary cross-entropy of logits (B,) against 0/1 labels (B,)."""
        return F.binary_cross_entropy_with_logits(logits, labels.float())


class FaceHead(nn.Module):
    """BN, flatten, FC to the embedding, BN: the output layer of ArcFace's IResNet.

    Deng, Guo, Yang, Xue, Kotsia and Zafeiriou (2022), "ArcFace: Additive angular margin loss
    for deep face recognition", IEEE TPAMI 44(10) (the 'E' output structure). 512-d as in
    document 003.

    Args:
        channels, height, width: shape of the branch's feature map.
        embedding: size of the face embedding.
    """

    def __init__(self, channels: int, height: int, width: int, embedding: int = 512):
        super().__init__()
        self.bn_map = nn.BatchNorm2d(channels)
        self.fc = nn.Linear(channels * height * width, embedding)
        self.bn_out = nn.BatchNorm1d(embedding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> (B, embedding)."""
        return self.bn_out(self.fc(torch.flatten(self.bn_map(x), 1)))


class SubCenterArcFace(nn.Module):
    """Sub-centre ArcFace loss: s * cos(theta + m) for the target class, s * cos(theta) else.

    Deng, Guo, Liu, Zafeiriou (2020), "Sub-center ArcFace: Boosting face recognition by
    large-scale noisy web faces", ECCV; Eq. (6) of document 003: theta_j = arccos of the best
    of K sub-centres of class j, K = 3, m = 0.5, s = 20. Where theta + m would pass pi (cos theta
    below cos(pi - m)), cos(theta + m) would rise again and reward a worse angle; there the
    target logit falls back to cos theta - m sin m, the standard ArcFace fallback (Deng, Guo,
    Xue, Zafeiriou 2019, and insightface's implementation), which keeps it decreasing in theta.

    Args:
        embedding: size of the embeddings.
        classes: number of training identities N.
        subcenters: K.
        margin: m (radians).
        scale: s.
    """

    def __init__(
        self,
        embedding: int,
        classes: int,
        subcenters: int = 3,
        margin: float = 0.5,
        scale: float = 20.0,
    ):
        super().__init__()
        self.classes, self.subcenters = classes, subcenters
        self.margin, self.scale = margin, scale
        self.weight = nn.Parameter(torch.empty(classes * subcenters, embedding))
        nn.init.normal_(self.weight, std=1.0 / math.sqrt(embedding))

    def cosines(self, embeddings: torch.Tensor) -> torch.Tensor:
        """embeddings: (B, D) -> (B, N): the cosine of the nearest sub-centre of each class."""
        cos = F.normalize(embeddings) @ F.normalize(self.weight).T
        return cos.view(-1, self.classes, self.subcenters).amax(dim=2)

    def logits(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """(B, N) scaled logits with the additive angular margin on the target class only."""
        cos = self.cosines(embeddings).clamp(-1 + 1e-7, 1 - 1e-7)
        target = torch.cos(torch.acos(cos) + self.margin)
        fallback = cos - self.margin * math.sin(self.margin)
        target = torch.where(cos > math.cos(math.pi - self.margin), target, fallback)
        onehot = F.one_hot(labels, self.classes).bool()
        return self.scale * torch.where(onehot, target, cos)

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """The mean ArcFace loss of embeddings (B, D) with integer labels (B,)."""
        return F.cross_entropy(self.logits(embeddings, labels), labels)


class FatigueBranch(nn.Module):
    """LASE-Net + fatigue head: the fatigue branch of the tree."""

    def __init__(self, channels: int, attention: str = "both", la_reduction: int = 16):
        super().__init__()
        self.lase = LASENet(channels, attention, la_reduction)
        self.head = FatigueHead(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> (B,) logits."""
        return self.head(self.lase(x))


class FaceBranch(nn.Module):
    """LASE-Net + face head: the face branch of the tree (embeddings; the loss is separate)."""

    def __init__(
        self,
        channels: int,
        height: int,
        width: int,
        embedding: int = 512,
        attention: str = "both",
        la_reduction: int = 16,
    ):
        super().__init__()
        self.lase = LASENet(channels, attention, la_reduction)
        self.head = FaceHead(channels, height, width, embedding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> (B, embedding)."""
        return self.head(self.lase(x))


def _face_branch(c, h, w):
    return FaceBranch(c, h, w, embedding=32)


# name -> builder(channels, height, width) of a block taking (B, C, H, W); for the shape tests.
BLOCKS = {
    "LANet": lambda c, h, w: LANet(c),
    "SENet": lambda c, h, w: SENet(c),
    "LASENet": lambda c, h, w: LASENet(c),
    "FatigueHead": lambda c, h, w: FatigueHead(c),
    "FaceHead": lambda c, h, w: FaceHead(c, h, w, 32),
    "FatigueBranch": lambda c, h, w: FatigueBranch(c),
    "FaceBranch": _face_branch,
}
