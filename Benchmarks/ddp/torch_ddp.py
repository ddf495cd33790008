"""PyTorch DistributedDataParallel (gloo, CPU) on the forecast and large workloads: the anchor for
KerasDistributed's scaling (`mpi-check worker bench`, Scripts/mpi-scaling.sh).

The same data recipe, models, initialisers, Adam(1e-3, eps=1e-7) and MSE as the Keras and PyTorch
references of the benchmarks (Benchmarks/benchmarks mirrors them). As in KerasDistributed, the
batch size is the global batch: each of the N processes takes a contiguous 1/N of every batch
(the same rows in the same order as `DataParallel.shard(of:)`), gradients are averaged by DDP's
bucketed allreduce overlapping the backward pass, one thread per process.

  python torch_ddp.py [forecast|large] [--processes N] [--batch 64] [--epochs 2]

Prints one JSON line: workload, processes, global batch, epochs, seconds, samples/s, final loss.
Needs `pip install torch` (CPU); not run on the development machine, which has no torch.
"""
import argparse, json, os, time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel


def data(workload, seed=0):
    rng = np.random.default_rng(seed)
    if workload == "large":
        return (rng.standard_normal((1024, 100, 128)).astype(np.float32),
                rng.standard_normal((1024, 1)).astype(np.float32))
    n, t = 2048, 60
    steps = np.arange(n + t + 1, dtype=np.float32)
    series = np.sin(steps * 0.07) + 0.5 * np.sin(steps * 0.011) + 0.1 * rng.standard_normal(steps.shape).astype(np.float32)
    x = np.stack([series[i:i + t] for i in range(n)])[:, :, None].astype(np.float32)
    return x, series[t:t + n].reshape(-1, 1).astype(np.float32)


class LastStep(nn.Module):
    """A recurrent layer; return_sequences=False keeps the last time step."""
    def __init__(self, rnn, return_sequences=False):
        super().__init__()
        self.rnn, self.return_sequences = rnn, return_sequences

    def forward(self, x):
        out, _ = self.rnn(x)
        return out if self.return_sequences else out[:, -1, :]


def model(workload):
    if workload == "large":
        m = nn.Sequential(LastStep(nn.LSTM(128, 512, batch_first=True)), nn.Linear(512, 1))
    else:
        m = nn.Sequential(
            LastStep(nn.LSTM(1, 50, batch_first=True), True), nn.Dropout(0.2),
            LastStep(nn.LSTM(50, 50, batch_first=True), True), nn.Dropout(0.2),
            LastStep(nn.LSTM(50, 50, batch_first=True)), nn.Dropout(0.2), nn.Linear(50, 1))
    for module in m.modules():   # Keras' initialisers
        if isinstance(module, nn.LSTM):
            for name, p in module.named_parameters():
                if name.startswith("weight_ih"):
                    nn.init.xavier_uniform_(p)
                elif name.startswith("weight_hh"):
                    nn.init.orthogonal_(p)
                else:
                    nn.init.zeros_(p)
                    if name.startswith("bias_ih"):
                        with torch.no_grad():
                            p[module.hidden_size:2 * module.hidden_size].fill_(1.0)
        elif isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    return m


def worker(rank, args):
    torch.set_num_threads(1)
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29511")
    dist.init_process_group("gloo", rank=rank, world_size=args.processes)
    torch.manual_seed(0)
    x, y = (torch.from_numpy(a) for a in data(args.workload))
    ddp = DistributedDataParallel(model(args.workload))   # broadcasts rank 0's weights
    optimizer = torch.optim.Adam(ddp.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.MSELoss()

    def epoch(count):
        total, rows = 0.0, 0
        for start in range(0, count, args.batch):
            n = min(args.batch, count - start)
            lo, hi = start + n * rank // args.processes, start + n * (rank + 1) // args.processes
            optimizer.zero_grad()
            loss = loss_fn(ddp(x[lo:hi]), y[lo:hi])
            loss.backward()        # DDP averages: equal shards give the global batch's mean gradient
            optimizer.step()
            total, rows = total + loss.item() * (hi - lo), rows + hi - lo
        return total / rows

    epoch(2 * args.batch)          # warm-up, as mpi-check's bench
    dist.barrier()
    start = time.perf_counter()
    for _ in range(args.epochs):
        loss = epoch(len(x))
    dist.barrier()
    seconds = time.perf_counter() - start
    if rank == 0:
        print(json.dumps({"workload": args.workload, "processes": args.processes, "global_batch": args.batch,
                          "epochs": args.epochs, "seconds": round(seconds, 3),
                          "samples_per_s": round(len(x) * args.epochs / seconds), "rank0_final_loss": loss}))
    dist.destroy_process_group()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", nargs="?", default="forecast", choices=["forecast", "large"])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    mp.spawn(worker, args=(args,), nprocs=args.processes)
