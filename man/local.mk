# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT

# Manual pages (owned by the MAN helper; included by the top-level Makefile.am).
# Full pages document a function family; the others are one-line .so aliases.

dist_man3_MANS += \
	man/man3/boc_abi_version.3 \
	man/man3/boc_behavior_arg.3 \
	man/man3/boc_behavior_complete.3 \
	man/man3/boc_behavior_cown.3 \
	man/man3/boc_behavior_cown_count.3 \
	man/man3/boc_behavior_current.3 \
	man/man3/boc_behavior_id.3 \
	man/man3/boc_behavior_result.3 \
	man/man3/boc_cown_acquire.3 \
	man/man3/boc_cown_create.3 \
	man/man3/boc_cown_flags.3 \
	man/man3/boc_cown_get.3 \
	man/man3/boc_cown_id.3 \
	man/man3/boc_cown_release.3 \
	man/man3/boc_cown_relinquish.3 \
	man/man3/boc_cown_retain.3 \
	man/man3/boc_cown_set.3 \
	man/man3/boc_cown_set_flags.3 \
	man/man3/boc_default_worker_count.3 \
	man/man3/boc_runtime_config_init.3 \
	man/man3/boc_runtime_in_flight.3 \
	man/man3/boc_runtime_quiesce.3 \
	man/man3/boc_runtime_shutdown.3 \
	man/man3/boc_runtime_start.3 \
	man/man3/boc_runtime_stats.3 \
	man/man3/boc_runtime_wait.3 \
	man/man3/boc_runtime_worker_count.3 \
	man/man3/boc_strerror.3 \
	man/man3/boc_version.3 \
	man/man3/boc_when.3 \
	man/man3/boc_when_pull.3 \
	man/man3/boc_when_pull_packed.3 \
	man/man3/boc_worker_attach.3 \
	man/man3/boc_worker_detach.3 \
	man/man3/boc_worker_pull.3 \
	man/man3/boc_worker_pull_next.3 \
	man/man3/boc_worker_pull_next_packed.3

dist_man7_MANS += man/man7/boc.7
