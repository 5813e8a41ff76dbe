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
	man/man3/boc_blob_cowns.3 \
	man/man3/boc_blob_create.3 \
	man/man3/boc_blob_data.3 \
	man/man3/boc_blob_describe_packed.3 \
	man/man3/boc_blob_graveyard_take.3 \
	man/man3/boc_blob_release.3 \
	man/man3/boc_blob_retain.3 \
	man/man3/boc_blob_token.3 \
	man/man3/boc_cown_acquire.3 \
	man/man3/boc_cown_create.3 \
	man/man3/boc_cown_create_pinned.3 \
	man/man3/boc_cown_flags.3 \
	man/man3/boc_cown_get.3 \
	man/man3/boc_cown_id.3 \
	man/man3/boc_cown_release.3 \
	man/man3/boc_cown_relinquish.3 \
	man/man3/boc_cown_retain.3 \
	man/man3/boc_cown_set.3 \
	man/man3/boc_cown_set_flags.3 \
	man/man3/boc_default_worker_count.3 \
	man/man3/boc_matrix_allclose.3 \
	man/man3/boc_matrix_binary.3 \
	man/man3/boc_matrix_clip.3 \
	man/man3/boc_matrix_concat.3 \
	man/man3/boc_matrix_copy.3 \
	man/man3/boc_matrix_create.3 \
	man/man3/boc_matrix_data.3 \
	man/man3/boc_matrix_matmul.3 \
	man/man3/boc_matrix_random.3 \
	man/man3/boc_matrix_reduce.3 \
	man/man3/boc_matrix_release.3 \
	man/man3/boc_matrix_retain.3 \
	man/man3/boc_matrix_seed.3 \
	man/man3/boc_matrix_select.3 \
	man/man3/boc_matrix_shape.3 \
	man/man3/boc_matrix_transpose.3 \
	man/man3/boc_matrix_unary.3 \
	man/man3/boc_matrix_vector.3 \
	man/man3/boc_msg_clear.3 \
	man/man3/boc_msg_drain.3 \
	man/man3/boc_msg_get_limits.3 \
	man/man3/boc_msg_pending.3 \
	man/man3/boc_msg_receive.3 \
	man/man3/boc_msg_receive_packed.3 \
	man/man3/boc_msg_send.3 \
	man/man3/boc_msg_send_packed.3 \
	man/man3/boc_msg_set_limits.3 \
	man/man3/boc_msg_tag.3 \
	man/man3/boc_msg_tag_name.3 \
	man/man3/boc_nb_capacity.3 \
	man/man3/boc_nb_clear.3 \
	man/man3/boc_nb_compare_and_set.3 \
	man/man3/boc_nb_delete.3 \
	man/man3/boc_nb_read.3 \
	man/man3/boc_nb_set_capacity.3 \
	man/man3/boc_nb_snapshot.3 \
	man/man3/boc_nb_snapshot_count.3 \
	man/man3/boc_nb_snapshot_entry.3 \
	man/man3/boc_nb_snapshot_release.3 \
	man/man3/boc_nb_snapshot_version.3 \
	man/man3/boc_nb_sync.3 \
	man/man3/boc_nb_version.3 \
	man/man3/boc_nb_write.3 \
	man/man3/boc_pump.3 \
	man/man3/boc_pump_begin.3 \
	man/man3/boc_pump_end.3 \
	man/man3/boc_pump_next_packed.3 \
	man/man3/boc_pump_status.3 \
	man/man3/boc_runtime_await.3 \
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
