/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file chorus_audit.h
 * The host's metrics, counted from the audit events every Chorus process
 * on the host emitted (audit.counters in chorus.yaml). Included by
 * chorus/chorus.h.
 */
#ifndef CHORUS_CHORUS_AUDIT_H
#define CHORUS_CHORUS_AUDIT_H

#include "chorus/chorus.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The counters in the Prometheus text exposition format: logins by result
 * and method, lockouts, registrations and removals by method, reset steps,
 * deliveries by channel, push answers, and the store latency histogram.
 * Reads the counter page only; any uid may call it. Before the first event
 * the counters read 0. Free *text with chorus_string_free().
 * CHORUS_ERR_UNSUPPORTED when audit.counters is empty (no counting), and
 * CHORUS_ERR_UNSAFE_FILE or CHORUS_ERR_CORRUPT for a page that fails its checks.
 */
CHORUS_API CHORUS_NODISCARD int chorus_metrics_text(chorus_ctx_t* ctx, char** text);

#ifdef __cplusplus
}
#endif

#endif /* CHORUS_CHORUS_AUDIT_H */
