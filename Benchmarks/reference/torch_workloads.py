"""The benchmark workloads in PyTorch (CPU), beside keras_workloads.py in this folder: the peer
SwiftKeras is measured against (see Benchmarks/README.md).

The data are workload_data.py's, which keras_workloads.py draws too; shapes, models, batch sizes, epochs,
optimizers and losses are the Keras reference's:
  - Adam(lr=1e-3, eps=1e-7) (Keras defaults), SGD(0.01) for rnn;
  - BCEWithLogits for the sigmoid classifier (sigmoid applied in predict), cross-entropy on
    logits for the softmax convnet (softmax applied in predict), MSE otherwise;
  - convnet: nn.Conv2d on channels-first images (the NHWC data permuted once), Flatten in
    Keras' channels-last order so the Dense layer sees the same layout, nn.Dropout(0.5);
  - transformer: token ids as int64, nn.Embedding tables drawn as Keras' (uniform ±0.05),
    nn.MultiheadAttention(64, 4 heads, batch_first) whose head size 64/4 = 16 is Keras'
    key_dim, its four projections drawn as Keras draws MultiHeadAttention's (Glorot uniform
    with fans 64 and 64), nn.LayerNorm(eps=1e-6), post-norm blocks with Keras' dropouts,
    logits with cross-entropy on the class ids (softmax applied in predict);
  - nn.LSTM / nn.RNN(tanh), batch_first=True, last time step for non-return_sequences
    layers, Dropout(0.2) after each stacked LSTM as in the Keras model;
  - Keras initialisers (glorot_uniform kernels, orthogonal recurrent kernels, zero
    biases, LSTM forget-gate bias 1) so final losses are comparable;
  - data shuffled once and that order replayed every epoch (what Keras fit actually does
    under set_random_seed, see run()); final_loss = mean training loss of the last epoch
    (what Keras' history reports).
One JSON line per workload with the Keras script's fields plus peak_rss_mb
(resource.getrusage ru_maxrss of the process that ran it), eval_loss, and from the
driver: peak_rss_mb_wait4 (whole process incl. interpreter teardown and, for torch, the
vfork'd helper that `import torch` spawns: ~+110 MB, not workload memory), process_wall_s, others_cpu_s (CPU used by other processes
meanwhile; nonzero = contaminated by a neighbour on a shared 2-core machine).
Each workload runs in its own subprocess:
  python torch_workloads.py [classify forecast rnn large convnet transformer]
  python torch_workloads.py --keras /path/to/keras-venv/bin/python [names]   # Keras reference, same bookkeeping
"""
import contextlib, json, os, resource, subprocess, sys, time

NAMES = ["classify", "forecast", "rnn", "large", "convnet", "transformer"]
KERAS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_workloads.py")

def _busy_s():
    """Machine-wide busy CPU seconds (all cores) from /proc/stat."""
    f = [int(v) for v in open("/proc/stat").readline().split()[1:]]  # user..steal (guest already in user)
    return (sum(f[:8]) - f[3] - f[4]) / os.sysconf("SC_CLK_TCK")   # minus idle, iowait

def run_isolated(cmd):
    """Run one workload in a child process; add its peak RSS (wait4) and the CPU seconds
    that other processes used meanwhile (others_cpu_s > 0 means the numbers are contaminated
    on this shared 2-core machine)."""
    b0, t0 = _busy_s(), time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall, busy = time.perf_counter() - t0, _busy_s() - b0
    assert status == 0, (cmd, status)
    rec = {}
    for line in out.splitlines():            # the workload's line (+ the RSS line of the Keras wrapper)
        if line.startswith("{"):
            rec.update(json.loads(line))
    rec["peak_rss_mb_wait4"] = round(ru.ru_maxrss / 1024, 1)
    rec["process_wall_s"] = round(wall, 1)
    rec["others_cpu_s"] = round(max(0.0, busy - ru.ru_utime - ru.ru_stime), 1)
    return rec


KERAS_WRAP = ("import json, resource, runpy, sys; sys.argv = sys.argv[1:]; "
              "runpy.run_path(sys.argv[0], run_name='__main__'); "
              "print(json.dumps({'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))")


def driver(argv):
    """python torch_workloads.py [--keras PYTHON] [names...]: one process per workload.
    The driver does not import torch, so its RSS cannot leak into the children's ru_maxrss
    (exec keeps the pre-exec high-water mark, and subprocess uses vfork)."""
    keras_py = None
    if argv[:1] == ["--keras"]:
        keras_py, argv = argv[1], argv[2:]
    for name in (argv or NAMES):
        if keras_py:   # the Keras reference, unchanged, run in-process by runpy so that its
                       # peak RSS is read the same way as torch's (ru_maxrss right after the run)
            print(json.dumps(run_isolated([keras_py, "-c", KERAS_WRAP, KERAS_SCRIPT, name])), flush=True)
        else:
            print(json.dumps(run_isolated([sys.executable, os.path.abspath(__file__), "--one", name])), flush=True)


if __name__ == "__main__" and sys.argv[1:2] != ["--one"]:
    driver(sys.argv[1:])
    sys.exit(0)

import torch
from torch import nn

torch.set_num_threads(2)


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # workload_data.py beside this file
from workload_data import data_classify, data_forecast, data_large, data_convnet, data_transformer  # noqa: E402


def keras_init(module):
    """Keras defaults: glorot_uniform kernel, orthogonal recurrent kernel, zero bias,
    LSTM unit_forget_bias=True (torch gate order i,f,g,o matches Keras i,f,c,o)."""
    for m in module.modules():
        if isinstance(m, (nn.LSTM, nn.RNN)):
            for name, p in m.named_parameters():
                if name.startswith("weight_ih"):
                    nn.init.xavier_uniform_(p)      # (gates*h, in): fan_in=in, fan_out=gates*h
                elif name.startswith("weight_hh"):
                    nn.init.orthogonal_(p)
                elif name.startswith("bias"):
                    nn.init.zeros_(p)
                    if isinstance(m, nn.LSTM) and name.startswith("bias_ih"):
                        h = m.hidden_size
                        with torch.no_grad():
                            p[h:2 * h].fill_(1.0)
        elif isinstance(m, nn.MultiheadAttention):
            # Keras' EinsumDense draws query/key/value [64, heads, 16] Glorot uniform with fans
            # over its input and output axes, 64 and 64: each 64x64 third of in_proj_weight as
            # one Dense kernel. out_proj, an nn.Linear(64, 64), is met next (modules() goes
            # parent first) and gets the Linear branch's Glorot, Keras' too.
            d = m.embed_dim
            limit = (6.0 / (d + d)) ** 0.5
            nn.init.uniform_(m.in_proj_weight, -limit, limit)
            nn.init.zeros_(m.in_proj_bias)
        elif isinstance(m, nn.Embedding):
            nn.init.uniform_(m.weight, -0.05, 0.05)  # Keras' Embedding default
        elif isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)       # conv: fan_in = in·kh·kw, fan_out = out·kh·kw, as Keras
            nn.init.zeros_(m.bias)
    return module


class LastStep(nn.Module):
    """Wraps a recurrent layer; return_sequences=False -> output at the last time step."""
    def __init__(self, rnn, return_sequences=False):
        super().__init__()
        self.rnn, self.return_sequences = rnn, return_sequences
    def forward(self, x):
        out, _ = self.rnn(x)
        return out if self.return_sequences else out[:, -1, :]


def model_classify():
    m = nn.Sequential(LastStep(nn.LSTM(8, 50, batch_first=True)), nn.Linear(50, 1))  # logits; sigmoid in loss
    return keras_init(m), nn.BCEWithLogitsLoss(), lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), True

def model_forecast():
    m = nn.Sequential(
        LastStep(nn.LSTM(1, 50, batch_first=True), True), nn.Dropout(0.2),
        LastStep(nn.LSTM(50, 50, batch_first=True), True), nn.Dropout(0.2),
        LastStep(nn.LSTM(50, 50, batch_first=True)), nn.Dropout(0.2), nn.Linear(50, 1))
    return keras_init(m), nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), False

def model_rnn():
    m = nn.Sequential(LastStep(nn.RNN(1, 32, nonlinearity="tanh", batch_first=True)), nn.Linear(32, 1))
    return keras_init(m), nn.MSELoss(), lambda p: torch.optim.SGD(p, lr=0.01), False

def model_large():
    m = nn.Sequential(LastStep(nn.LSTM(128, 512, batch_first=True)), nn.Linear(512, 1))
    return keras_init(m), nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), False

class ChannelsFirst(nn.Module):
    """[N, H, W, C] -> [N, C, H, W]: the data stay Keras' channels-last arrays."""
    def forward(self, x):
        return x.permute(0, 3, 1, 2)

class FlattenChannelsLast(nn.Module):
    """Keras' Flatten of a channels-last [N, H, W, C] tensor, from torch's [N, C, H, W]."""
    def forward(self, x):
        return x.permute(0, 2, 3, 1).flatten(1)

def model_convnet():
    m = nn.Sequential(
        ChannelsFirst(),
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        FlattenChannelsLast(), nn.Dropout(0.5), nn.Linear(5 * 5 * 64, 10))   # logits; softmax in predict
    return keras_init(m), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), "softmax"

class TokenAndPositionEmbedding(nn.Module):
    """Keras' example layer: token embedding plus a learned embedding of positions 0..T-1."""
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = nn.Embedding(vocab_size, embed_dim)
        self.pos_emb = nn.Embedding(maxlen, embed_dim)
    def forward(self, x):
        positions = torch.arange(x.shape[-1], device=x.device)
        return self.token_emb(x) + self.pos_emb(positions)

class TransformerBlock(nn.Module):
    """Keras' example block, post-norm: x + Dropout(MHA(x, x)) -> LayerNorm, then
    x + Dropout(Dense(64)(Dense(128, relu)(x))) -> LayerNorm."""
    def __init__(self, embed_dim=64, num_heads=4, ff_dim=128, rate=0.1):
        super().__init__()
        self.att = nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)
        self.ffn = nn.Sequential(nn.Linear(embed_dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, embed_dim))
        self.norm1 = nn.LayerNorm(embed_dim, eps=1e-6)
        self.norm2 = nn.LayerNorm(embed_dim, eps=1e-6)
        self.drop1, self.drop2 = nn.Dropout(rate), nn.Dropout(rate)
    def forward(self, x):
        attended, _ = self.att(x, x, x, need_weights=False)
        x = self.norm1(x + self.drop1(attended))
        return self.norm2(x + self.drop2(self.ffn(x)))

class MeanOverSteps(nn.Module):
    """GlobalAveragePooling1D: [N, T, C] -> [N, C]."""
    def forward(self, x):
        return x.mean(1)

def sparse_cross_entropy(logits, labels):
    """Keras' sparse_categorical_crossentropy on the class ids [N, 1] (stored as float)."""
    return nn.functional.cross_entropy(logits, labels.view(-1).long())

def model_transformer():
    m = nn.Sequential(
        TokenAndPositionEmbedding(128, 5000, 64), TransformerBlock(), TransformerBlock(),
        MeanOverSteps(), nn.Dropout(0.1), nn.Linear(64, 2))   # logits; softmax in predict
    return keras_init(m), sparse_cross_entropy, lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), "sparse_softmax"

WORKLOADS = {
    "classify": (data_classify, model_classify, 32, 4),
    "forecast": (data_forecast, model_forecast, 32, 3),
    "rnn": (data_forecast, model_rnn, 32, 3),
    "large": (data_large, model_large, 128, 2),
    "convnet": (data_convnet, model_convnet, 128, 3),
    "transformer": (data_transformer, model_transformer, 32, 3),
}


def autocast():
    """The harness' --policy (BENCH_POLICY): mixed_bfloat16 is torch.autocast("cpu", bfloat16) around
    each forward pass and loss, as PyTorch's CPU mixed-precision recipe; float32 otherwise."""
    policy = os.environ.get("BENCH_POLICY")
    if policy and policy != "mixed_bfloat16":
        raise SystemExit(f"torch_workloads.py: no PyTorch counterpart for policy {policy!r}")
    return torch.autocast("cpu", dtype=torch.bfloat16) if policy else contextlib.nullcontext()


def run(name):
    data, build, batch, epochs = WORKLOADS[name]
    xn, yn = data()
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)
    if not x.is_floating_point():
        x = x.long()                                   # token ids
    n = len(x)
    seed = int(os.environ.get("BENCH_SEED", "0"))  # weights, dropout, shuffling
    torch.manual_seed(seed)
    m, loss_fn, make_opt, sigmoid_out = build()
    opt = make_opt(m.parameters())
    # Keras 3 (TF backend) with keras.utils.set_random_seed(0) shuffles arrays with
    # tf.random.shuffle inside a tf.data map that is re-instantiated per epoch, so the SAME
    # permutation is replayed every epoch (verified with keras 3.15.1 / TF 2.21). Mirror it:
    # with a fresh permutation per epoch, large's final loss is ~0.70 instead of ~0.64.
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    times, losses = [], []
    for _ in range(epochs):
        t = time.perf_counter()
        m.train()
        tot = torch.zeros(())
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            with autocast():
                loss = loss_fn(m(xb), yb)
            loss.backward()
            opt.step()
            tot += loss.detach() * len(idx)
        losses.append(float(tot) / n)
        times.append(time.perf_counter() - t)
    m.eval()
    t = time.perf_counter()
    with torch.no_grad(), autocast():                  # evaluate: loss (+ accuracy for classify)
        tot, correct = 0.0, 0
        for i in range(0, n, batch):
            xb, yb = x[i:i + batch], y[i:i + batch]
            out = m(xb)
            tot += float(loss_fn(out, yb)) * len(xb)
            if sigmoid_out == "softmax":
                correct += int((out.argmax(1) == yb.argmax(1)).sum())
            elif sigmoid_out == "sparse_softmax":
                correct += int((out.argmax(1) == yb.view(-1).long()).sum())
            elif sigmoid_out:
                correct += int(((out > 0).float() == yb).sum())
        eval_loss = tot / n
    te = time.perf_counter() - t
    t = time.perf_counter()
    with torch.no_grad(), autocast():                  # predict: outputs collected as numpy
        outs = []
        for i in range(0, n, batch):
            out = m(x[i:i + batch])
            softmax = sigmoid_out in ("softmax", "sparse_softmax")
            outs.append(torch.softmax(out, 1) if softmax else torch.sigmoid(out) if sigmoid_out else out)
        pred = torch.cat(outs).float().numpy()
    tp = time.perf_counter() - t
    assert pred.shape == ((n, 2) if sigmoid_out == "sparse_softmax" else yn.shape)
    steady = sorted(times[1:])[len(times[1:]) // 2] if len(times) > 1 else times[0]
    rec = {"workload": name, "framework": f"torch {torch.__version__} / cpu, {torch.get_num_threads()} threads",
        "train_samples_per_s": round(n / steady, 1), "first_epoch_s": round(times[0], 2),
        "evaluate_samples_per_s": round(n / te, 1), "predict_samples_per_s": round(n / tp, 1),
        "final_loss": round(losses[-1], 5), "eval_loss": round(eval_loss, 5),
        "epoch_losses": [round(v, 5) for v in losses], "params": sum(p.numel() for p in m.parameters()),
        "policy": os.environ.get("BENCH_POLICY") or "float32"}
    if sigmoid_out:
        rec["eval_accuracy"] = round(correct / n, 4)
    rec["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(rec), flush=True)


if __name__ == "__main__":   # child: python torch_workloads.py --one NAME
    run(sys.argv[2])
