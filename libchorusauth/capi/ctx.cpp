// SPDX-License-Identifier: BSD-2-Clause
#include <unistd.h>

#include "capi/capi_internal.hpp"
#include "flows/events.hpp"
#include "flows/login_delegated.hpp"
#include "store/observed_store.hpp"

extern "C" {

int chorus_ctx_new(chorus_ctx_t** out, const char* config_path, chorus_log_fn log, void* log_arg,
                   unsigned flags) {
    if (out == nullptr) return CHORUS_ERR_INVALID_ARG;
    *out = nullptr;
    chorus::Logger logger(log, log_arg, (flags & CHORUS_CTX_DEBUG) != 0);
    try {
        chorus::LoadOptions lo;
        // Root trusts only root's files; an unprivileged caller may trust its own.
        lo.require_root_owner = geteuid() == 0;
        auto cfg = chorus::load_config(config_path != nullptr ? config_path : "", lo);
        if (!cfg.ok()) {
            logger.logf(chorus::LogLevel::error, "configuration refused: %s", cfg.error().message.c_str());
            // Reported with the built-in audit settings: the file's own are not trusted.
            chorus::Context defaults;
            defaults.log = logger;
            chorus::Event refused;
            refused.kind = chorus::EventKind::config_refused;
            refused.outcome = chorus::Outcome::refused;
            refused.reason = "the configuration did not load; logins are denied";
            chorus::emit(defaults, refused);
            return chorus::to_rc(cfg.code());
        }
        // An unprivileged caller (a screen locker) has no access to state:
        // its logins are answered by the setuid chorus-check.
        const bool delegated = geteuid() != 0;
        std::unique_ptr<chorus::Store> store;
        if (delegated) {
            store = chorus::make_refusing_store();
        } else {
            auto opened = chorus::open_store(cfg->store);
            if (!opened.ok()) {
                logger.logf(chorus::LogLevel::error, "state store %s unavailable: %s",
                            cfg->store.path.c_str(), opened.error().message.c_str());
                return chorus::to_rc(opened.code());
            }
            store = std::move(opened).value();
        }
        auto* h = new chorus_ctx{};
        h->ctx.config = std::move(cfg).value();
        chorus::Context* c = &h->ctx;  // the handle owns both the context and the store
        chorus::StoreObserver observer;
        observer.latency = [c](std::int64_t micros) { chorus::observe_store_latency(*c, micros); };
        observer.record_changed = [c](std::string_view user, const std::optional<chorus::UserRecord>& before,
                                      const std::optional<chorus::UserRecord>& after) {
            chorus::report_record_change(*c, user, before, after);
        };
        h->ctx.store = chorus::observe_store(std::move(store), std::move(observer));
        h->ctx.delegated = delegated;
        h->ctx.log = logger;
        CHORUS_DEBUG(logger, "configuration loaded from %s", h->ctx.config.source.c_str());
        *out = h;
        return CHORUS_OK;
    } catch (const std::bad_alloc&) {
        return CHORUS_ERR_NOMEM;
    } catch (...) {
        return CHORUS_ERR_INTERNAL;
    }
}

void chorus_ctx_free(chorus_ctx_t** ctx) {
    if (ctx == nullptr || *ctx == nullptr) return;
    delete *ctx;
    *ctx = nullptr;
}

int chorus_config_validate(const char* path, char** message) {
    if (message != nullptr) *message = nullptr;
    try {
        chorus::LoadOptions lo;
        lo.require_root_owner = geteuid() == 0;
        auto cfg = chorus::load_config(path != nullptr ? path : "", lo);
        if (cfg.ok()) return CHORUS_OK;
        if (message != nullptr) *message = chorus_dup_string(cfg.error().message);
        return chorus::to_rc(cfg.code());
    } catch (const std::bad_alloc&) {
        return CHORUS_ERR_NOMEM;
    } catch (...) {
        return CHORUS_ERR_INTERNAL;
    }
}

int chorus_ctx_code_digits(const chorus_ctx_t* ctx) {
    return ctx != nullptr ? ctx->ctx.config.otp.digits : 6;
}

int chorus_web_settings_get(const chorus_ctx_t* ctx, chorus_web_settings* out) {
    if (ctx == nullptr || out == nullptr) return CHORUS_ERR_INVALID_ARG;
    const chorus::WebConfig& w = ctx->ctx.config.web;
    *out = chorus_web_settings{w.listen_address.c_str(),
                               w.port,
                               w.base_url.c_str(),
                               w.pam_service.c_str(),
                               w.user.c_str(),
                               w.session_idle,
                               w.max_sessions,
                               w.requests_per_minute,
                               w.account_attempts_per_hour,
                               w.trusted_proxy ? 1 : 0,
                               w.request_timeout};
    return CHORUS_OK;
}

int chorus_web_metrics_enabled(const chorus_ctx_t* ctx) {
    return ctx != nullptr && ctx->ctx.config.web.metrics ? 1 : 0;
}

const char* chorus_ctx_last_error(const chorus_ctx_t* ctx) {
    if (ctx == nullptr) return "no context";
    return ctx->last_error.c_str();
}

}  // extern "C"
