# Where a training step's time goes in PyTorch, piece by piece: the peer of `Regimen.Bench ops` (ms per piece).
import argparse, os, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_peer import build

p = argparse.ArgumentParser()
p.add_argument("model"); p.add_argument("--width", type=int, default=0); p.add_argument("--size", type=int, default=32)
p.add_argument("--channels", type=int, default=3); p.add_argument("--batch", type=int, default=128)
p.add_argument("--threads", type=int, default=2); p.add_argument("--reps", type=int, default=20)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(0)
c = a.width or 16


def timed(step):
    for _ in range(3): step()
    start = time.perf_counter()
    for _ in range(a.reps): step()
    return (time.perf_counter() - start) * 1000 / a.reps


conv, bn = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
xc = torch.randn(a.batch, c, a.size, a.size)
results = [
    ("conv3x3_fwd", timed(lambda: conv(xc))),
    ("conv3x3_fwd_bwd", timed(lambda: conv(xc.detach().requires_grad_()).sum().backward())),
    ("bn_fwd_bwd", timed(lambda: bn(xc.detach().requires_grad_()).sum().backward())),
    ("relu_fwd_bwd", timed(lambda: F.relu(xc.detach().requires_grad_()).sum().backward())),
    ("bn_fwd_x10", timed(lambda: [bn(xc) for _ in range(10)])),
    ("conv_bn_relu_fwd_x10", timed(lambda: [F.relu(bn(conv(xc)), inplace=True) for _ in range(10)])),
]
model = build(a.model, a.width, a.channels); model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
x0, y0 = torch.randn(a.batch, a.channels, a.size, a.size), torch.randint(0, 10, (a.batch,))
results.append(("model_fwd", timed(lambda: model(x0))))
deep = nn.Conv2d(8 * c, 8 * c, 3, padding=1, bias=False)
xd = torch.randn(a.batch, 8 * c, max(1, a.size // 8), max(1, a.size // 8))
results.append(("deep_conv_fwd", timed(lambda: deep(xd))))
s2, s2x1 = nn.Conv2d(c, 2 * c, 3, 2, 1, bias=False), nn.Conv2d(c, 2 * c, 1, 2, bias=False)
results.append(("s2_conv_fwd", timed(lambda: s2(xc))))
results.append(("s2_1x1_fwd", timed(lambda: s2x1(xc))))
results.append(("s2_conv_fwd_bwd", timed(lambda: s2(xc.detach().requires_grad_()).sum().backward())))
deep_bn = nn.BatchNorm2d(8 * c)
results.append(("deep_bn_fwd_x10", timed(lambda: [deep_bn(xd) for _ in range(10)])))
results.append(("deep_relu_add_x10", timed(lambda: [F.relu(xd + xd) for _ in range(10)])))
model.eval()
with torch.no_grad():
    results.append(("model_fwd_eval_nograd", timed(lambda: model(x0))))
model.train()
results.append(("model_fwd_bwd", timed(lambda: F.cross_entropy(model(x0), y0, label_smoothing=0.1).backward())))


F.cross_entropy(model(x0), y0).backward()
results.append(("opt_step", timed(lambda: opt.step())))
results.append(("accuracy_item", timed(lambda: model(x0).argmax(1).eq(y0).sum().item())))


def step():
    opt.zero_grad(); F.cross_entropy(model(x0), y0, label_smoothing=0.1).backward(); opt.step()


results.append(("model_step", timed(step)))
print("side=pytorch " + " ".join(f"{k}={v:.2f}" for k, v in results))
