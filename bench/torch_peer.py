"""The PyTorch peer of the benchmarks: float64, one thread.

Run by bench/torch.ts as a child process. It reads one JSON request per line
on stdin and answers one JSON line on stdout:
  {"op": "info"}                                  -> versions, threads, the BLAS library loaded
  {"op": "setup", "workload": W, "dir": D}        -> {"answer": [...]}; inputs are D/<name>.f64
  {"op": "time", "workload": W, "calls": N}       -> {"ms": time of N calls}
The workloads are written as a PyTorch user writes them: autograd for the
derivatives, double backward for Hessian-vector products (W6 builds the
gradient graph once and differentiates it 20 times), torch.optim.Adam for W5.
"""
import json
import os
import platform
import sys
import time

try:
    import torch
except Exception as error:  # no torch: say so and stop; the benchmark skips this peer
    print(json.dumps({"error": f"cannot import torch: {error}"}), flush=True)
    sys.exit(0)

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def load(directory, name):
    with open(os.path.join(directory, name + ".f64"), "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float64).clone()


def rosenbrock(p):
    x, y = p[0], p[1]
    return (x - 1) ** 2 + 100 * (y - x * x) ** 2


def extended(x):
    head, tail = x[:-1], x[1:]
    return (100 * (tail - head * head) ** 2 + (1 - head) ** 2).sum()


def mlp_loss(b1, b2, w1, w2, x, y):
    return ((torch.tanh(x @ w1 + b1) @ w2 + b2 - y) ** 2).mean()


def flat(ts):
    return torch.cat([t.reshape(-1) for t in ts]).tolist()


def setup_w1(_):
    p = torch.tensor([-1.2, 1.0], requires_grad=True)
    run = lambda: torch.autograd.grad(rosenbrock(p), p)[0]
    return run, lambda: run().tolist()


def setup_w2(_):
    p = torch.tensor([1.0, 1.0])
    run = lambda: torch.linalg.eigvalsh(torch.autograd.functional.hessian(rosenbrock, p))
    return run, lambda: run().tolist()


def setup_w3(d):
    x = load(d, "x").requires_grad_(True)
    v = load(d, "v")

    def run():
        (g,) = torch.autograd.grad(extended(x), x, create_graph=True)
        return torch.autograd.grad(g, x, grad_outputs=v)[0]

    return run, lambda: run().tolist()


def setup_w3g(d):
    x = load(d, "x").requires_grad_(True)
    run = lambda: torch.autograd.grad(extended(x), x)[0]
    return run, lambda: run().tolist()


def mlp_inputs(d):
    params = [load(d, "b1"), load(d, "b2"), load(d, "w1").reshape(64, 128), load(d, "w2").reshape(128, 1)]
    return [p.requires_grad_(True) for p in params], load(d, "x").reshape(256, 64), load(d, "y").reshape(256, 1)


def setup_w4(d):
    params, x, y = mlp_inputs(d)
    run = lambda: torch.autograd.grad(mlp_loss(*params, x, y), params)
    return run, lambda: flat(run())


def setup_w4f(d):
    params, x, y = mlp_inputs(d)

    def run():
        with torch.no_grad():
            return mlp_loss(*params, x, y).item()

    return run, lambda: [run()]


def setup_w6(d):
    params, x, y = mlp_inputs(d)
    start = load(d, "start")
    sizes = [p.numel() for p in params]

    def run():
        grads = torch.autograd.grad(mlp_loss(*params, x, y), params, create_graph=True)
        v = start / start.norm()
        lam = 0.0
        for _ in range(20):
            parts = [part.reshape(p.shape) for part, p in zip(torch.split(v, sizes), params)]
            hv = torch.cat([h.reshape(-1) for h in torch.autograd.grad(grads, params, grad_outputs=parts, retain_graph=True)])
            lam = torch.dot(v, hv).item()
            v = hv / hv.norm()
        return lam

    return run, lambda: [run()]


def setup_w5(d):
    g = load(d, "g")
    p0 = load(d, "p0")
    sample = torch.arange(0, p0.numel(), 997)

    def adam(p):
        p.grad = g
        return torch.optim.Adam([p], lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    check = torch.nn.Parameter(p0.clone())
    opt = adam(check)
    for _ in range(3):
        opt.step()
    timed = torch.nn.Parameter(p0.clone())
    timed_opt = adam(timed)
    return timed_opt.step, lambda: check.detach()[sample].tolist()


SETUPS = {"W1": setup_w1, "W2": setup_w2, "W3": setup_w3, "W3g": setup_w3g, "W4": setup_w4, "W4f": setup_w4f,
          "W5": setup_w5, "W6": setup_w6}


def blas_libraries():
    torch.ones(8, 8) @ torch.ones(8, 8)
    with open("/proc/self/maps") as maps:
        names = {line.split()[-1] for line in maps if "blas" in line.lower()}
    return sorted(os.path.basename(n) for n in names)


def main():
    runs = {}
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "info":
                reply = {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
                         "blas": blas_libraries()}
            elif request["op"] == "setup":
                run, answer = SETUPS[request["workload"]](request["dir"])
                runs[request["workload"]] = run
                reply = {"answer": answer()}
            elif request["op"] == "time":
                run = runs[request["workload"]]
                calls = request["calls"]
                t0 = time.perf_counter()
                for _ in range(calls):
                    run()
                reply = {"ms": (time.perf_counter() - t0) * 1000}
            else:
                reply = {"error": f"unknown op {request['op']}"}
        except Exception as error:
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)


main()
