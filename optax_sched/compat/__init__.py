"""Peers' schedulers under their own names and arguments, on native families."""
from optax_sched.compat import transformers
from optax_sched.compat import timm
