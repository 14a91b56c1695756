"""A character-level language model: a small decoder-only transformer on Python's own docs.

The text is the standard library's ``pydoc_data.topics`` (the help pages of
the language, about 465k characters, installed with every CPython), so
nothing downloads; its exact content follows the Python version. Characters
map to 97 ids: newline, the 95 printable ASCII characters, and one id for any
other. The training set is the first ``train_chars`` characters, the
validation set the last ``val_chars``, both cut into windows of
``context + 1`` characters (inputs, and the same shifted by one as targets).
The loss is in nats per character.

The model (plain JAX, GPT-style) embeds characters and positions, runs
``depth`` blocks of causal multi-head attention and a 4x GELU MLP, and reads
logits with an untied head. ``norm="pre"`` puts a LayerNorm before each
sub-block (and one at the end); ``norm="post"`` after each residual sum, as
in the original transformer. References: Vaswani et al. 2017 (post-LN),
Xiong et al. 2020, "On Layer Normalization in the Transformer Architecture"
(pre-LN, and why post-LN needs a warmup).
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from optax_sched.problems.base import Problem, assemble, static_model

DEFAULT_LR = 3e-3
VOCAB = 97  # 0: any other character, 1: newline, 2..96: chr(32)..chr(126)
NORMS = ("pre", "post")


def encode(text: str) -> np.ndarray:
  """Character ids (see the module docstring)."""
  codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
  ids = np.where((codes >= 32) & (codes <= 126), codes - 30, 0)
  return np.where(codes == 10, 1, ids).astype(np.int32)


def decode(ids: np.ndarray) -> str:
  return "".join("\n" if i == 1 else chr(i + 30) if i >= 2 else "?" for i in np.asarray(ids))


def corpus() -> str:
  """The help topics of ``pydoc_data.topics``, in the order of their names."""
  from pydoc_data.topics import topics

  return "".join(topics[name] for name in sorted(topics))


def _layer_norm(h, scale, bias):
  mean = h.mean(-1, keepdims=True)
  var = ((h - mean) ** 2).mean(-1, keepdims=True)
  return (h - mean) * jax.lax.rsqrt(var + 1e-5) * scale + bias


@static_model
@dataclasses.dataclass(frozen=True)
class Transformer:
  """A decoder-only transformer over ``context`` characters."""

  context: int = 64
  width: int = 64
  depth: int = 2
  heads: int = 4
  norm: str = "pre"
  vocab: int = VOCAB

  def __post_init__(self):
    if self.norm not in NORMS:
      raise ValueError(f"Transformer: norm={self.norm!r} is not allowed: choose from {NORMS}")
    if self.width % self.heads:
      raise ValueError(
        f"Transformer: width={self.width} is not allowed: it must be a multiple of"
        f" heads={self.heads}"
      )

  def init(self, key: jax.Array) -> dict:
    """GPT-2's initialisation: N(0, 0.02), output projections scaled by 1/sqrt(2 depth)."""
    d, n = self.width, self.depth
    ks = jax.random.split(key, 6)

    def normal(k, shape, std=0.02):
      return jax.random.normal(k, shape) * std

    out_std = 0.02 / math.sqrt(2 * n)
    ones, zeros = jnp.ones((n, d)), jnp.zeros((n, d))
    params = {
      "embed": normal(ks[0], (self.vocab, d)),
      "position": normal(ks[1], (self.context, d)),
      "blocks": {
        "norm1_scale": ones,
        "norm1_bias": zeros,
        "qkv": normal(ks[2], (n, d, 3 * d)),
        "proj": normal(ks[3], (n, d, d), out_std),
        "norm2_scale": ones,
        "norm2_bias": zeros,
        "up": normal(ks[4], (n, d, 4 * d)),
        "up_bias": jnp.zeros((n, 4 * d)),
        "down": normal(ks[5], (n, 4 * d, d), out_std),
        "down_bias": zeros,
      },
      "head": normal(jax.random.fold_in(key, 7), (d, self.vocab)),
    }
    if self.norm == "pre":
      params["final_scale"], params["final_bias"] = jnp.ones(d), jnp.zeros(d)
    return params

  def _attend(self, p, h):
    *lead, t, d = h.shape
    q, k, v = jnp.split(h @ p["qkv"], 3, axis=-1)
    split = lambda a: a.reshape(*lead, t, self.heads, d // self.heads)  # noqa: E731
    q, k, v = split(q), split(k), split(v)
    scores = jnp.einsum("...qhd,...khd->...hqk", q, k) / math.sqrt(d // self.heads)
    causal = jnp.tril(jnp.ones((t, t), bool))
    weights = jax.nn.softmax(jnp.where(causal, scores, -1e30), axis=-1)
    return jnp.einsum("...hqk,...khd->...qhd", weights, v).reshape(*lead, t, d) @ p["proj"]

  def _mlp(self, p, h):
    return jax.nn.gelu(h @ p["up"] + p["up_bias"]) @ p["down"] + p["down_bias"]

  def apply(self, params: dict, x: jax.Array) -> jax.Array:
    """Logits ``(..., t, vocab)`` of the next character after each of ``x``'s ``t`` ids."""
    h = params["embed"][x] + params["position"][: x.shape[-1]]

    def block(h, p):
      n1 = lambda a: _layer_norm(a, p["norm1_scale"], p["norm1_bias"])  # noqa: E731
      n2 = lambda a: _layer_norm(a, p["norm2_scale"], p["norm2_bias"])  # noqa: E731
      if self.norm == "pre":
        h = h + self._attend(p, n1(h))
        h = h + self._mlp(p, n2(h))
      else:
        h = n1(h + self._attend(p, h))
        h = n2(h + self._mlp(p, h))
      return h, None

    h, _ = jax.lax.scan(block, h, params["blocks"])
    if self.norm == "pre":
      h = _layer_norm(h, params["final_scale"], params["final_bias"])
    return h @ params["head"]


def _windows(ids: np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
  n = (len(ids) - 1) // context
  starts = np.arange(n) * context
  w = ids[starts[:, None] + np.arange(context + 1)]
  return w[:, :-1], w[:, 1:]


#: Named sizes: ``small`` is ``compare --problem charlm``'s default (a few
#: minutes for six schedules x 3 seeds on 2 CPU cores), ``tiny`` for tests.
SIZES = {
  "small": {"context": 64, "width": 64, "depth": 2, "heads": 4, "train_chars": 65536},
  "tiny": {"context": 16, "width": 16, "depth": 1, "heads": 2, "train_chars": 4096},
}


def load(
  seed: int = 0,
  epochs: int = 5,
  batch_size: int = 32,
  seeds: int | None = None,
  *,
  norm: str = "pre",
  size: str = "small",
  val_chars: int = 8192,
  train_chars: int | None = None,
) -> Problem:
  """The text cut into windows, the transformer of ``size`` with ``norm``, and
  each seed's initial parameters and batch orders (see ``assemble``).

  ``train_chars`` (default: the size's) takes more or less of the text for
  training: at most all of it but the last ``val_chars``."""
  if size not in SIZES:
    raise ValueError(f"charlm: size={size!r} is not allowed: choose from {sorted(SIZES)}")
  cfg = dict(SIZES[size])
  default_chars = cfg.pop("train_chars")
  ids = encode(corpus())
  if train_chars is None:
    train_chars = default_chars
  elif not cfg["context"] < train_chars <= len(ids) - val_chars - 2:
    raise ValueError(
      f"charlm: train_chars={train_chars} is not allowed: it must be more than the context"
      f" ({cfg['context']}) and at most {len(ids) - val_chars - 2} (the text but the last"
      f" val_chars={val_chars})"
    )
  model = Transformer(norm=norm, **cfg)
  x_train, y_train = _windows(ids[: train_chars + 1], model.context)
  x_val, y_val = _windows(ids[-val_chars - 1 :], model.context)
  rng = np.random.default_rng(seed)
  return assemble((x_train, y_train, x_val, y_val), model, rng, seed, epochs, batch_size, seeds)
