/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file chorus_web.h
 * What chorus-web's broker reads of the configuration (the web: section of
 * chorus.yaml). Included by chorus/chorus.h.
 */
#ifndef CHORUS_CHORUS_WEB_H
#define CHORUS_CHORUS_WEB_H

#include "chorus/chorus.h"

#ifdef __cplusplus
extern "C" {
#endif

/** chorus-web's settings (the web: section of chorus.yaml); strings belong to the context. */
typedef struct chorus_web_settings {
    const char* listen_address;    /**< address the HTTP process binds */
    int port;                      /**< its port */
    const char* base_url;          /**< public URL, the only source of links ("" = not set) */
    const char* pam_service;       /**< PAM service that checks passwords at sign-in */
    const char* user;              /**< account the HTTP process runs as */
    int session_idle;              /**< seconds before an idle session ends */
    int max_sessions;              /**< sign-ins and resets in progress at once */
    int requests_per_minute;       /**< POSTs per client address */
    int account_attempts_per_hour; /**< sign-ins and reset starts per account name */
    int trusted_proxy;             /**< 1: X-Forwarded-For from a loopback peer names the client */
    int request_timeout;           /**< seconds a connection may stay silent */
} chorus_web_settings;
CHORUS_API CHORUS_NODISCARD int chorus_web_settings_get(const chorus_ctx_t* ctx, chorus_web_settings* out);
/** 1 when chorus-web serves /metrics to local scrapers (web.metrics), else 0. */
CHORUS_API int chorus_web_metrics_enabled(const chorus_ctx_t* ctx);

#ifdef __cplusplus
}
#endif

#endif /* CHORUS_CHORUS_WEB_H */
