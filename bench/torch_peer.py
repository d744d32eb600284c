#!/usr/bin/env python3
"""The PyTorch side of bench/compare.sh: the same models, batch, thread count and input as Regimen.Bench train.

Run with Debian's python3-torch (/usr/bin/python3). Prints one key=value line like Regimen.Bench.
"""
import argparse, os, resource, time
import torch, torch.nn as nn, torch.nn.functional as F


class Basic(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); s.bn1 = nn.BatchNorm2d(cout)
        s.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(cout)
        s.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
    def forward(s, x):
        y = F.relu(s.bn1(s.conv1(x))); y = s.bn2(s.conv2(y))
        return F.relu(y + (x if s.down is None else s.down(x)))


class ResNet(nn.Module):   # Regimen's small-image ResNet: 3x3 stem, no max-pool
    def __init__(s, cin, classes, layers, widths):
        super().__init__()
        s.conv1 = nn.Conv2d(cin, widths[0], 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(widths[0])
        blocks, c = [], widths[0]
        for i, (n, w) in enumerate(zip(layers, widths)):
            for b in range(n):
                blocks.append(Basic(c, w, 2 if b == 0 and i > 0 else 1)); c = w
        s.layers = nn.Sequential(*blocks); s.fc = nn.Linear(c, classes)
    def forward(s, x):
        return s.fc(s.layers(F.relu(s.bn1(s.conv1(x)))).mean((2, 3)))


class Wide(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.bn1 = nn.BatchNorm2d(cin); s.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        s.bn2 = nn.BatchNorm2d(cout); s.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        s.short = None if stride == 1 and cin == cout else nn.Conv2d(cin, cout, 1, stride, bias=False)
    def forward(s, x):
        o = F.relu(s.bn1(x)); idt = x if s.short is None else s.short(o)
        return s.conv2(F.relu(s.bn2(s.conv1(o)))) + idt


class WRN(nn.Module):
    def __init__(s, cin, classes, depth, k):
        super().__init__()
        n, w = (depth - 4) // 6, [16, 16 * k, 32 * k, 64 * k]
        s.conv = nn.Conv2d(cin, 16, 3, 1, 1, bias=False)
        blocks, c = [], 16
        for i in range(3):
            for b in range(n):
                blocks.append(Wide(c, w[i + 1], 2 if b == 0 and i > 0 else 1)); c = w[i + 1]
        s.blocks = nn.Sequential(*blocks); s.bn = nn.BatchNorm2d(c); s.fc = nn.Linear(c, classes)
    def forward(s, x):
        return s.fc(F.relu(s.bn(s.blocks(s.conv(x)))).mean((2, 3)))


def build(name, width, cin):
    if name == "small_resnet": w = width or 32; return ResNet(cin, 10, [1, 1, 1], [w, 2 * w, 4 * w])
    if name == "cifar_resnet18": w = width or 64; return ResNet(cin, 10, [2, 2, 2, 2], [w, 2 * w, 4 * w, 8 * w])
    if name == "wrn16_4": return WRN(cin, 10, 16, 4)
    if name == "wrn28_10": return WRN(cin, 10, 28, 10)
    raise SystemExit(f"unknown model {name}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model"); p.add_argument("--width", type=int, default=0); p.add_argument("--size", type=int, default=32)
    p.add_argument("--channels", type=int, default=3); p.add_argument("--batch", type=int, default=128)
    p.add_argument("--images", type=int, default=2560); p.add_argument("--epochs", type=int, default=3); p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    if os.environ.get("PEER_MKLDNN") == "0": torch.backends.mkldnn.enabled = False   # an experiment: libtorch's native convolutions
    model = build(a.model, a.width, a.channels)
    decay = [q for q in model.parameters() if q.dim() > 1]; no_decay = [q for q in model.parameters() if q.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}], lr=0.1, momentum=0.9, nesterov=True)
    x_all = torch.randint(0, 256, (a.images, a.channels, a.size, a.size), dtype=torch.uint8)
    y_all = torch.randint(0, 10, (a.images,))
    mean, std = torch.full((1, a.channels, 1, 1), 0.5), torch.full((1, a.channels, 1, 1), 0.25)
    channels_last = os.environ.get("PEER_CHANNELS_LAST") == "1"   # PyTorch's own channels-last, for comparison
    if channels_last: model = model.to(memory_format=torch.channels_last)
    rates, rss = [], []
    for epoch in range(a.epochs):
        model.train(); order = torch.randperm(a.images); start = time.perf_counter(); seen = 0
        for b in range(a.images // a.batch):
            idx = order[b * a.batch:(b + 1) * a.batch]
            x = (x_all[idx].float() / 255 - mean) / std
            if channels_last: x = x.contiguous(memory_format=torch.channels_last)
            loss = F.cross_entropy(model(x), y_all[idx], label_smoothing=0.1)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); seen += len(idx)
        rates.append(seen / (time.perf_counter() - start))
        rss.append(open("/proc/self/statm").read().split()[1])
    timed = rates[1:] or rates   # every epoch after the first, images over time, as Regimen.Bench reports it
    rate = len(timed) / sum(1 / r for r in timed)
    model.eval()   # evaluation throughput over the training images, as Regimen.Bench measures it
    def evaluate():   # the same work as Regimen's Evaluator: class probabilities kept, loss summed, inference mode
        start = time.perf_counter()
        with torch.inference_mode():
            kept, loss = [], 0.0
            for b in range(0, a.images, a.batch):
                x = (x_all[b:b + a.batch].float() / 255 - mean) / std
                if channels_last: x = x.contiguous(memory_format=torch.channels_last)
                p = F.softmax(model(x), 1)
                loss += F.nll_loss(p.clamp_min(1e-12).log(), y_all[b:b + a.batch], reduction="sum").item()
                kept.append(p.numpy().copy())
        return a.images / (time.perf_counter() - start)
    # The forward pass alone over batches normalized beforehand: how much of evaluation is the model itself.
    ready = [(x_all[b:b + a.batch].float() / 255 - mean) / std for b in range(0, a.images, a.batch)]
    if channels_last: ready = [x.contiguous(memory_format=torch.channels_last) for x in ready]
    def forward_only():
        start = time.perf_counter()
        with torch.inference_mode():
            for x in ready: model(x)
        return a.images / (time.perf_counter() - start)
    evaluate(); forward_only()   # warm-up, then three alternated passes of each and their medians, as Regimen.Bench
    evals, forwards = [], []
    for _ in range(3): evals.append(evaluate()); forwards.append(forward_only())
    eval_rate, forward_rate = sorted(evals)[1], sorted(forwards)[1]
    page = resource.getpagesize()
    mb = [int(r) * page / 1e6 for r in rss]
    growth = 100 * (mb[-1] - mb[1]) / mb[1] if len(mb) >= 3 else 0.0
    print(f"side=pytorch model={a.model} width={a.width} size={a.size} batch={a.batch} img_per_s={rate:.1f} eval_img_per_s={eval_rate:.1f} forward_img_per_s={forward_rate:.1f} "
          f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000:.0f} rss_growth_pct={growth:.1f} rss_mb_by_epoch={';'.join(f'{m:.0f}' for m in mb)}")


if __name__ == "__main__":
    main()
