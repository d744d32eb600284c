#!/usr/bin/env python3
"""The torchvision side of the parity tests (TorchvisionParityTests, ExportTests), run by Debian's python3-torch 1.13.

make ARCH CLASSES SIZE DIR [timm]
                             a randomly initialized torchvision model with BatchNorm statistics of real batches:
                             DIR/model.pt (its state dict), DIR/input.f32 (2 x 3 x SIZE x SIZE), DIR/logits.f32;
                             with "timm", model.pt is shaped as timm's train.py saves checkpoints (state_dict and
                             state_dict_ema with DistributedDataParallel's module. prefix, optimizer, argparse args)
load ARCH CLASSES FILE DIR   loads a state dict (.pt, or .safetensors read by hand: Debian has no python3-safetensors)
                             with strict=True, logits of DIR/input.f32 into DIR/loaded.f32
Tensors travel as raw little-endian float32. ARCH is a torchvision name, or cifar_resnet18 (torchvision's
ResNet-18 with the usual CIFAR stem: 3x3 stride-1 convolution, no max-pool).
"""
import argparse
import json
import struct
import sys
import torch
import torchvision


def build(arch, classes):
    if arch == "cifar_resnet18":
        model = torchvision.models.resnet18(num_classes=classes)
        model.conv1 = torch.nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        model.maxpool = torch.nn.Identity()
        return model
    return getattr(torchvision.models, arch)(num_classes=classes)


def make(arch, classes, size, out, timm=False):
    torch.manual_seed(0)
    model = build(arch, classes)
    # BatchNorm with the statistics of a few batches (cumulative average) and random affine parameters, so that
    # eval-mode BatchNorm is not the identity and activations keep a trained network's scale.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None
            torch.nn.init.uniform_(m.weight, 0.5, 1.5)
            torch.nn.init.uniform_(m.bias, -0.2, 0.2)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, size, size))
    model.eval()
    state = model.state_dict()
    if timm:
        weights = {"module." + k: v for k, v in state.items()}
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        state = {"epoch": 3, "arch": arch, "state_dict": weights, "optimizer": optimizer.state_dict(),
                 "args": argparse.Namespace(model=arch, lr=0.1, epochs=4), "version": 2, "metric": 0.5,
                 "state_dict_ema": {k: v.clone() for k, v in weights.items()}}
    torch.save(state, f"{out}/model.pt")
    x = torch.randn(2, 3, size, size)
    x.numpy().astype("<f4").tofile(f"{out}/input.f32")
    with torch.no_grad():
        model(x).numpy().astype("<f4").tofile(f"{out}/logits.f32")


def read_safetensors(path):
    """The safetensors layout: an 8-byte little-endian header length, a JSON header, the tensors' bytes."""
    dtypes = {"F32": torch.float32, "I64": torch.int64, "F64": torch.float64, "I32": torch.int32}
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = bytearray(f.read())
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(data[begin:end], dtype=dtypes[info["dtype"]]) if end > begin \
            else torch.empty(0, dtype=dtypes[info["dtype"]])
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors


def load(arch, classes, path, out):
    model = build(arch, classes)
    state = read_safetensors(path) if path.endswith(".safetensors") else torch.load(path)
    model.load_state_dict(state, strict=True)
    model.eval()
    with open(f"{out}/input.f32", "rb") as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    side = int(round((x.numel() / 6) ** 0.5))  # two 3-channel square images
    x = x.view(2, 3, side, side)
    with torch.no_grad():
        model(x).numpy().astype("<f4").tofile(f"{out}/loaded.f32")


if __name__ == "__main__":
    command, arch, classes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if command == "make":
        make(arch, classes, int(sys.argv[4]), sys.argv[5], timm=sys.argv[6:] == ["timm"])
    elif command == "load":
        load(arch, classes, sys.argv[4], sys.argv[5])
    else:
        sys.exit(f"unknown command {command}")
