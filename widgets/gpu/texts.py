"""Panel 6's texts in both languages, and which device fact each table row shows (with the torch call behind it)."""
from ..shell.i18n import register

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

register({
    "gpu.refresh": ("Refresh", "刷新"),
    "gpu.help": ("What PyTorch sees of this machine's GPU, and how its memory behaves: what is allocated, what "
                 "the caching allocator keeps reserved, what empty_cache gives back, and the out-of-memory error "
                 "you get when a process may use only part of the memory.",
                 "PyTorch 看到的本机 GPU 信息，以及显存的行为：已分配多少、缓存分配器保留了多少、empty_cache "
                 "能归还多少，以及当进程只允许使用部分显存时会出现的显存不足（OOM）错误。"),
    "gpu.no_gpu": ("<b>No GPU here.</b> On this machine PyTorch runs on the CPU (torch.cuda.is_available() is "
                   "False), so the GPU controls below are switched off. With an NVIDIA GPU this panel shows each "
                   "GPU's name, compute capability and total memory; the memory PyTorch has allocated, reserved "
                   "(its cache) and at peak; a button that calls torch.cuda.empty_cache() and shows reserved memory "
                   "before and after; a memory-fraction slider (torch.cuda.set_per_process_memory_fraction); and "
                   "a button that tries to allocate N MB and shows the out-of-memory message torch raises when "
                   "you ask for more than the fraction allows. <b>To get a GPU:</b> in Colab choose Runtime &gt; "
                   "Change runtime type &gt; GPU (for example T4), then run the notebook again.",
                   "<b>这里没有 GPU。</b>本机上 PyTorch 在 CPU 上运行（torch.cuda.is_available() 为 False），"
                   "因此下面与 GPU 相关的控件已停用。在有 NVIDIA GPU 的机器上，本面板会显示：每块 GPU 的名称、"
                   "计算能力（compute capability）和总显存；PyTorch 已分配（allocated）、已保留（reserved，即缓存）"
                   "以及峰值显存；一个调用 torch.cuda.empty_cache() 的按钮，并显示调用前后的保留显存；一个显存比例"
                   "滑块（torch.cuda.set_per_process_memory_fraction）；以及一个“尝试分配 N MB”的按钮——申请超过"
                   "该比例所允许的显存时，它会显示 torch 抛出的显存不足（OOM）信息。<b>如何获得 GPU：</b>在 Colab 中"
                   "选择“代码执行程序 &gt; 更改运行时类型 &gt; GPU”（英文界面为 Runtime &gt; Change runtime type "
                   "&gt; GPU，例如 T4），然后重新运行笔记本。"),
    "gpu.info_title": ("Device", "设备"),
    "gpu.memory_title": ("GPU memory (device 0)", "GPU 显存（设备 0）"),
    "gpu.memory_none": ("No GPU memory to report: tensors live in ordinary RAM.",
                        "没有 GPU 显存可报告：张量存放在普通内存中。"),
    "gpu.row.torch": ("PyTorch version", "PyTorch 版本"),
    "gpu.row.available": ("CUDA available", "CUDA 是否可用"),
    "gpu.row.count": ("Number of GPUs", "GPU 数量"),
    "gpu.row.cuda": ("CUDA version (torch build)", "CUDA 版本（torch 构建）"),
    "gpu.row.cudnn": ("cuDNN version", "cuDNN 版本"),
    "gpu.row.threads": ("CPU threads", "CPU 线程数"),
    "gpu.row.name": ("GPU {i}", "GPU {i}"),
    "gpu.row.capability": ("GPU {i} compute capability", "GPU {i} 计算能力"),
    "gpu.row.total": ("GPU {i} total memory", "GPU {i} 总显存"),
    "gpu.row.sms": ("GPU {i} multiprocessors", "GPU {i} 多处理器数"),
    "gpu.mem.allocated": ("allocated by tensors", "张量已分配"),
    "gpu.mem.reserved": ("reserved (cache)", "已保留（缓存）"),
    "gpu.mem.peak": ("peak allocated", "分配峰值"),
    "gpu.mem.total": ("total", "总量"),
    "gpu.mem.free": ("free on the device", "设备剩余"),
    "gpu.yes": ("yes", "是"),
    "gpu.no": ("no", "否"),
    "gpu.refreshed": ("Device facts and memory read again.", "已重新读取设备信息和显存。"),
    "gpu.refreshed_cpu": ("Read again: still no GPU on this machine.", "已重新读取：本机仍然没有 GPU。"),
    "gpu.empty": ("Empty the cache", "清空缓存"),
    "gpu.emptied": ("torch.cuda.empty_cache(): reserved memory {before:,.1f} MB before, {after:,.1f} MB after. "
                    "It returns cached blocks no tensor uses; memory held by live tensors stays.",
                    "torch.cuda.empty_cache()：保留显存调用前 {before:,.1f} MB，调用后 {after:,.1f} MB。"
                    "它只归还没有张量使用的缓存块；仍在使用的张量所占的显存不会释放。"),
    "gpu.emptied_status": ("Cache emptied.", "缓存已清空。"),
    "gpu.fraction": ("Memory fraction", "显存比例"),
    "gpu.fraction_what": ("memory fraction", "显存比例"),
    "gpu.apply": ("Apply fraction", "应用比例"),
    "gpu.fraction_set": ("torch.cuda.set_per_process_memory_fraction({fraction:.2f}): this process may now use at "
                         "most {fraction:.0%} of the GPU's {total:,.0f} MB. Try to allocate more than that.",
                         "torch.cuda.set_per_process_memory_fraction({fraction:.2f})：本进程现在最多只能使用 GPU "
                         "{total:,.0f} MB 显存中的 {fraction:.0%}。试着分配超过这个量的显存。"),
    "gpu.fraction_status": ("Memory fraction set to {fraction:.2f}.", "显存比例已设为 {fraction:.2f}。"),
    "gpu.mb": ("Try to allocate (MB)", "尝试分配（MB）"),
    "gpu.mb_what": ("size in MB", "大小（MB）"),
    "gpu.allocate": ("Allocate", "分配"),
    "gpu.alloc_ok": ("Allocated {mb:,.0f} MB on the GPU and freed it again.",
                     "已在 GPU 上分配 {mb:,.0f} MB，随后又释放了。"),
    "gpu.alloc_oom": ("Asking for {mb:,.0f} MB failed. This is the message torch gives, the one a training run "
                      "that needs too much memory crashes with:<br><code>{message}</code><br>Remedies: a smaller "
                      "batch, a smaller model, freeing tensors you no longer need, or a larger memory fraction.",
                      "申请 {mb:,.0f} MB 失败。下面是 torch 给出的信息——训练时显存不够，程序就会以它崩溃："
                      "<br><code>{message}</code><br>解决办法：减小批大小、减小模型、释放不再需要的张量，或调大显存比例。"),
    "gpu.alloc_ok_status": ("{mb:,.0f} MB allocated and freed.", "已分配并释放 {mb:,.0f} MB。"),
    "gpu.alloc_oom_status": ("Out of memory asking for {mb:,.0f} MB: see the message in the panel.",
                             "申请 {mb:,.0f} MB 时显存不足：请看面板中的信息。"),
    "err.mb_range": ("The size must be more than 0 and at most {limit:.0f} MB.",
                     "大小必须大于 0 且不超过 {limit:.0f} MB。"),
    "err.fraction_range": ("The memory fraction must be from 0.05 to 1.", "显存比例必须在 0.05 到 1 之间。"),
})
