"""The built-in problems: one interface, seeds, and the character transformer."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from optax_sched import problems
from optax_sched.problems import charlm

TINY = {"epochs": 1, "batch_size": 16}


@pytest.fixture(scope="module", params=["digits", "charlm_tiny"])
def name(request):
  return request.param


def test_every_problem_has_the_one_interface(name):
  p = problems.load_problem(name, **TINY)
  n_train = p.x_train.shape[0]
  assert p.order.shape == (1, n_train // 16, 16)
  assert p.y_train.shape[0] == n_train and p.x_val.shape[0] == p.y_val.shape[0]
  logits = jax.eval_shape(p.model.apply, p.params, p.x_val)
  assert logits.shape[:-1] == p.y_val.shape
  loss, acc = jax.jit(problems.evaluate)(p.model, p.params, p.x_val, p.y_val)
  assert np.isfinite(float(loss)) and 0 <= float(acc) <= 1
  grads = jax.jit(jax.grad(problems.loss, argnums=1))(
    p.model, p.params, p.x_train[:4], p.y_train[:4]
  )
  assert jax.tree_util.tree_structure(grads) == jax.tree_util.tree_structure(p.params)


def test_seed_i_is_the_same_whatever_the_number_of_seeds(name):
  alone = problems.load_problem(name, **TINY)
  two = problems.load_problem(name, seeds=2, **TINY)
  three = problems.load_problem(name, seeds=3, **TINY)
  np.testing.assert_array_equal(two.order[0], alone.order)
  np.testing.assert_array_equal(two.order[1], three.order[1])
  for a, b, c in zip(
    jax.tree_util.tree_leaves(alone.params),
    jax.tree_util.tree_leaves(two.params),
    jax.tree_util.tree_leaves(three.params),
    strict=True,
  ):
    np.testing.assert_array_equal(b[0], a)
    np.testing.assert_array_equal(b[1], c[1])
  assert not np.array_equal(three.order[1], three.order[2])
  np.testing.assert_array_equal(three.x_train, alone.x_train)  # the data is shared


def test_unknown_problem_raises_naming_it():
  with pytest.raises(ValueError, match="load_problem: name='mnist' is not allowed"):
    problems.load_problem("mnist")


def test_text_maps_to_97_ids_and_back():
  text = "def f(x):\n\treturn x ~ 1é"
  ids = charlm.encode(text)
  assert ids.min() >= 0 and ids.max() < charlm.VOCAB
  assert charlm.decode(ids) == "def f(x):\n?return x ~ 1?"


def test_the_text_comes_with_python():
  text = charlm.corpus()
  assert len(text) > 100_000 and "lambda" in text


def test_targets_are_the_inputs_shifted_by_one():
  p = problems.load_problem("charlm_tiny", **TINY)
  np.testing.assert_array_equal(p.x_train[:, 1:], p.y_train[:, :-1])
  np.testing.assert_array_equal(p.x_train[1:, 0], p.y_train[:-1, -1])


def test_initial_loss_is_about_log_vocab():
  p = problems.load_problem("charlm_tiny", **TINY)
  loss, _ = jax.jit(problems.evaluate)(p.model, p.params, p.x_val, p.y_val)
  assert abs(float(loss) - np.log(charlm.VOCAB)) < 0.05


@pytest.mark.parametrize("norm", charlm.NORMS)
def test_the_transformer_is_causal(norm):
  model = charlm.Transformer(context=8, width=8, depth=2, heads=2, norm=norm)
  params = model.init(jax.random.PRNGKey(0))
  params = jax.tree_util.tree_map(lambda a: a * 20, params)  # far from uniform logits
  x = jnp.arange(8) + 2
  changed = x.at[5].set(50)
  apply = jax.jit(model.apply)
  a, b = apply(params, x), apply(params, changed)
  np.testing.assert_allclose(a[:5], b[:5], rtol=1e-6)
  assert not np.allclose(a[5:], b[5:])


def test_pre_and_post_ln_differ_only_in_where_the_norm_sits():
  size = {"context": 8, "width": 8, "depth": 1, "heads": 2}
  pre, post = charlm.Transformer(norm="pre", **size), charlm.Transformer(norm="post", **size)
  a, b = pre.init(jax.random.PRNGKey(0)), post.init(jax.random.PRNGKey(0))
  assert set(a) - set(b) == {"final_scale", "final_bias"}
  x = jnp.arange(8) + 2
  assert not np.allclose(jax.jit(pre.apply)(a, x), jax.jit(post.apply)(a, x))


@pytest.mark.parametrize(
  "kw, message",
  [
    ({"norm": "mid"}, "norm='mid' is not allowed"),
    ({"width": 10, "heads": 4}, "width=10 is not allowed"),
  ],
)
def test_bad_transformer_arguments_raise_naming_them(kw, message):
  with pytest.raises(ValueError, match=message):
    charlm.Transformer(**kw)


def test_bad_size_raises_naming_it():
  with pytest.raises(ValueError, match="charlm: size='huge' is not allowed"):
    problems.load_problem("charlm", size="huge")


def test_train_chars_takes_more_of_the_text_and_never_the_validation_part():
  text = charlm.encode(charlm.corpus())
  p = problems.load_problem("charlm_tiny", train_chars=20_000, **TINY)
  assert p.x_train.shape == (20_000 // 16, 16)
  np.testing.assert_array_equal(p.x_train[0], text[:16])
  most = len(text) - 8192 - 2
  p = problems.load_problem("charlm_tiny", train_chars=most, **TINY)
  # The last training target is the character just before the first validation input.
  assert p.y_train.shape[0] == most // 16
  for bad in (16, most + 1):
    with pytest.raises(ValueError, match=f"charlm: train_chars={bad} is not allowed"):
      problems.load_problem("charlm_tiny", train_chars=bad, **TINY)


def test_one_seed_takes_a_seed_off_the_axis():
  p = problems.load_problem("digits", seeds=2, **TINY)
  assert p.seeds == 2 and p.one_seed(1).seeds is None
  np.testing.assert_array_equal(p.one_seed(1).order, p.order[1])
  with pytest.raises(ValueError, match="one_seed: i=2 is not allowed"):
    p.one_seed(2)


@pytest.mark.parametrize("shape", [(5, 3), (2, 5, 3), (3,)])
def test_dense_is_x_at_w_plus_b_with_the_same_gradients(shape):
  from optax_sched.problems.base import dense

  k = jax.random.split(jax.random.PRNGKey(0), 3)
  x, w, b = (
    jax.random.normal(k[0], shape),
    jax.random.normal(k[1], (3, 4)),
    jax.random.normal(k[2], (4,)),
  )

  def total(layer):
    return lambda x, w, b: jnp.sum(jnp.sin(layer(x, w, b)))

  ours = jax.value_and_grad(total(dense), argnums=(0, 1, 2))(x, w, b)
  plain = jax.value_and_grad(total(lambda x, w, b: x @ w + b), argnums=(0, 1, 2))(x, w, b)
  jax.tree_util.tree_map(lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-5), ours, plain)
  batched = jax.vmap(jax.grad(total(dense), argnums=1), in_axes=(0, None, None))(x[None], w, b)
  np.testing.assert_allclose(batched[0], plain[1][1], rtol=1e-5)
