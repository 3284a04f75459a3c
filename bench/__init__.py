"""Benchmarks of the kernel (not tests): ``python -m bench.kernel_path`` (``make bench``)."""
