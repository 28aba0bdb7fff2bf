"""SEAL's adapters between the speech encoder and the text tower.

The Conv1D adapter shortens the encoder's 50 Hz sequence (stride ``s`` -> 50/s vectors a second,
closer to the rate of word pieces); the MLP adapter maps each vector into the text tower's hidden size,
so the result can enter the text tower's transformer as input embeddings.
"""

from __future__ import annotations

import torch
from torch import nn


class ConvAdapter(nn.Module):
    """Strided Conv1D over time; ``forward(x (B, T, C), mask (B, T)) -> (B, ceil(T/stride), C_out), mask``."""

    def __init__(self, in_dim: int, out_dim: int, kernel_size: int = 5, stride: int = 4) -> None:
        super().__init__()
        if kernel_size < stride:
            raise ValueError(f"conv adapter kernel {kernel_size} < stride {stride} would skip frames")
        self.kernel_size, self.stride = kernel_size, stride
        self.conv = nn.Conv1d(in_dim, out_dim, kernel_size, stride=stride)
        self.act = nn.GELU()

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        return (lengths + self.stride - 1) // self.stride

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = x * mask.unsqueeze(-1).to(x.dtype)  # padding must not leak into the last real window
        out_len = -(-x.shape[1] // self.stride)
        # Centre the kernel on each stride window and pad the end so every real frame is covered
        left = (self.kernel_size - self.stride) // 2
        right = (out_len - 1) * self.stride + self.kernel_size - x.shape[1] - left
        x = nn.functional.pad(x.transpose(1, 2), (left, max(right, 0)))
        y = self.act(self.conv(x)).transpose(1, 2)[:, :out_len]
        lengths = self.output_lengths(mask.sum(1))
        new_mask = torch.arange(y.shape[1], device=y.device)[None, :] < lengths[:, None]
        return y, new_mask


class MLPAdapter(nn.Module):
    """Two-layer MLP to the text tower's hidden size."""

    def __init__(self, in_dim: int, out_dim: int, hidden_dim: int | None = None) -> None:
        super().__init__()
        hidden_dim = hidden_dim or 2 * out_dim
        self.net = nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, out_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class SharedScaling(nn.Linear):
    """The shared scaling layer: one linear map applied to both towers, initialised to the identity
    so an untrained model's text side is exactly the plain sentence encoder."""

    def __init__(self, dim: int) -> None:
        super().__init__(dim, dim)
        with torch.no_grad():
            self.weight.copy_(torch.eye(dim))
            self.bias.zero_()
