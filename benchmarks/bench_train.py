"""Training throughput against TRL: `python benchmarks/bench_train.py [--examples 32]`.

Runs `warmline train` and TRL's SFTTrainer on the same model (the embedded SmolLM2-135M unless
--model), the same examples (each seen once, batch 1), the same sequence length, LoRA settings and
learning rate, with loss on the final counselor reply only in both (TRL: prompt-completion data with
completion_only_loss). Prints tokens per second of each (wall time of the training loop), their ratio,
and the number of loss-bearing tokens each one built, to show the masking is the same.
Goal (issue 4): ratio >= 1.0 with identical masking. Needs `pip install trl` (make bench does it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

EXCHANGES = [
    ("I've been feeling really lonely since I moved.", "Moving can feel so isolating. What has been hardest?"),
    ("Evenings. Nobody to talk to.", "Those quiet evenings sound heavy. Who did you talk to before the move?"),
    ("My sister, mostly. She's busy now.", "It sounds like you miss her a lot. Have you told her how you feel?"),
    ("No, I don't want to bother her.", "You care about not being a burden. What do you imagine she'd say?"),
    ("Probably that she misses me too.", "That might be worth hearing. What would it take to call her this week?"),
]


def make_data(path: Path, n: int) -> None:
    rows = []
    for i in range(n):
        k = 1 + i % len(EXCHANGES)
        msgs = [{"role": "system", "content": "You are a warm, patient counselor."}]
        for u, a in EXCHANGES[:k]:
            msgs += [{"role": "user", "content": f"{u} ({i})"}, {"role": "assistant", "content": a}]
        rows.append({"id": f"ex{i}", "messages": msgs})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


OURS = """
import json, sys
from warmline.train.config import load_config
from warmline.train.recipe import train
data, out, n, r, lr, maxlen, model = sys.argv[1:8]
cfg = load_config(None, None, model=model or None, data=data, output=out, method="lora", lora_r=int(r),
                  lora_alpha=2 * int(r), lora_dropout=0.0, learning_rate=float(lr), lr_scheduler="constant",
                  max_steps=int(n), batch_size=1, max_length=int(maxlen), precision="auto", seed=0)
res = train(cfg, progress=False, log=lambda m: None)
print(json.dumps({"tokens": res.trained_tokens, "seconds": res.train_seconds, "label_tokens": res.label_tokens,
                  "loss_first": res.losses[0], "loss_last": res.losses[-1]}))
"""

TRL = """
import json, sys, time, torch
from datasets import Dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig, SFTTrainer
from warmline.backends.embedded import resolve
data, out, n, r, lr, maxlen, model = sys.argv[1:8]
path, _ = resolve(model or None)
rows = [json.loads(l) for l in open(data)]
ds = Dataset.from_list([{"prompt": x["messages"][:-1], "completion": x["messages"][-1:]} for x in rows])
tok = AutoTokenizer.from_pretrained(path)
cuda = torch.cuda.is_available()
net = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16 if cuda else torch.float32)
args = SFTConfig(output_dir=out, max_steps=int(n), per_device_train_batch_size=1, gradient_accumulation_steps=1,
                 learning_rate=float(lr), lr_scheduler_type="constant", warmup_steps=0, logging_steps=1,
                 save_strategy="no", report_to=[], max_length=int(maxlen), completion_only_loss=True,
                 packing=False, bf16=cuda, use_cpu=not cuda, seed=0, dataloader_num_workers=0)
peft = LoraConfig(r=int(r), lora_alpha=2 * int(r), lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
trainer = SFTTrainer(model=net, args=args, train_dataset=ds, processing_class=tok, peft_config=peft)
train_ds = trainer.train_dataset
tokens = sum(len(x) for x in train_ds["input_ids"][: int(n)])
labels = sum(sum(1 for x in row if x != -100) for row in train_ds["labels"])
t = time.perf_counter()
trainer.train()
secs = time.perf_counter() - t
losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
print(json.dumps({"tokens": tokens, "seconds": secs, "label_tokens": labels, "loss_first": losses[0],
                  "loss_last": losses[-1]}))
"""


def run(code: str, *args: str) -> dict:
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if res.returncode:
        raise SystemExit(res.stderr[-3000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=32, help="examples, each seen once (= optimizer steps)")
    ap.add_argument("--lora-r", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--model", default="", help="default: the embedded model")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warmline-bench-train-"))
    data = tmp / "sft.jsonl"
    make_data(data, args.examples)
    common = [str(data), "", str(args.examples), str(args.lora_r), str(args.lr), str(args.max_length), args.model]
    ours = run(OURS, *[common[0], str(tmp / "ours"), *common[2:]])
    trl = run(TRL, *[common[0], str(tmp / "trl"), *common[2:]])
    print(f"{args.examples} examples, batch 1, LoRA r={args.lora_r} on all linear layers, max length {args.max_length}")
    print(f"{'':18}{'tokens/s':>10}{'tokens':>9}{'seconds':>9}{'loss tokens':>13}{'loss first->last':>20}")
    for name, r in (("warmline train", ours), ("TRL SFTTrainer", trl)):
        print(
            f"{name:18}{r['tokens'] / r['seconds']:>10.0f}{r['tokens']:>9}{r['seconds']:>9.1f}{r['label_tokens']:>13}"
            f"{r['loss_first']:>11.3f} -> {r['loss_last']:.3f}"
        )
    ratio = (ours["tokens"] / ours["seconds"]) / (trl["tokens"] / trl["seconds"])
    same = (
        "identical" if ours["label_tokens"] == trl["label_tokens"] and ours["tokens"] == trl["tokens"] else "DIFFERENT"
    )
    print(f"throughput ratio warmline/TRL: {ratio:.2f} (goal >= 1.0); loss-bearing tokens: {same}")


if __name__ == "__main__":
    main()
