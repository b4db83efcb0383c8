// SPDX-License-Identifier: GPL-2.0-only
/* TEMPORARY: replaced by the real loader with the BPF accounting work. */
#include <errno.h>

#include "bpf_loader.h"

int pv_bpf_open(const struct pv_bpf_opts *o, struct pv_bpf **ret) { return -ENOSYS; }
void pv_bpf_close(struct pv_bpf *b) { }
int pv_bpf_remove_pins(const char *pin_dir) { return 0; }
int pv_bpf_task_counts(struct pv_bpf *b, const struct pv_cgroups *cg, const struct pv_container *c, struct pv_task_counts *ret) { return -ENOSYS; }
