"""Panel 6's texts in both languages, and which device fact each table row shows (with the torch call behind it)."""

INFO_ROWS = (  # (text key, device_info() field, the torch call a learner would type)
    ("gpu.row.torch", "torch", "torch.__version__"),
    ("gpu.row.available", "cuda_available", "torch.cuda.is_available()"),
    ("gpu.row.count", "device_count", "torch.cuda.device_count()"),
    ("gpu.row.cuda", "cuda_version", "torch.version.cuda"),
    ("gpu.row.cudnn", "cudnn_version", "torch.backends.cudnn.version()"),
    ("gpu.row.threads", "cpu_threads", "torch.get_num_threads()"),
)
MEMORY_ROWS = (  # (text key, memory_report() field, the torch call)
    ("gpu.mem.allocated", "allocated_mb", "torch.cuda.memory_allocated()"),
    ("gpu.mem.reserved", "reserved_mb", "torch.cuda.memory_reserved()"),
    ("gpu.mem.peak", "peak_mb", "torch.cuda.max_memory_allocated()"),
    ("gpu.mem.total", "total_mb", "torch.cuda.mem_get_info()[1]"),
    ("gpu.mem.free", "free_mb", "torch.cuda.mem_get_info()[0]"),
)

