/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc.h - libboc, a Behavior-Oriented Concurrency runtime.
 *
 * Include this one header; it pulls in every public part:
 *   boc/common.h    status codes, versions, timeouts
 *   boc/cown.h      cowns (concurrently owned objects)
 *   boc/behavior.h  behaviors (boc_when) and their accessors
 *   boc/runtime.h   start, quiesce, wait, shutdown, worker counts, stats
 *   boc/pull.h      foreign threads that attach to worker slots and pull
 *   boc/pump.h      pinned cowns, run by the thread that pumps them
 *   boc/blob.h      blobs: immutable byte strings that carry cowns
 *   boc/msg.h       tagged message queues
 *   boc/noticeboard.h  the noticeboard: a shared map of keys to blobs
 *   boc/matrix.h    dense matrices of doubles and their kernels
 * See boc(7) for the concepts.
 */
#ifndef BOC_H
#define BOC_H

#include "boc/common.h"
#include "boc/cown.h"
#include "boc/behavior.h"
#include "boc/runtime.h"
#include "boc/pull.h"
#include "boc/pump.h"
#include "boc/blob.h"
#include "boc/msg.h"
#include "boc/noticeboard.h"
#include "boc/matrix.h"

#endif /* BOC_H */
