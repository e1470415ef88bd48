// SPDX-License-Identifier: BSD-2-Clause
#include "audit/counters.hpp"
#include "audit/metrics.hpp"
#include "capi/capi_internal.hpp"
#include "chorus/chorus_audit.h"

extern "C" {

int chorus_metrics_text(chorus_ctx_t* h, char** text) {
    if (text != nullptr) *text = nullptr;
    if (h == nullptr || text == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        const std::string& path = h->ctx.config.audit.counters;
        if (path.empty())
            return chorus::fail(h, chorus::make_error(chorus::Errc::unsupported, "audit.counters is empty"));
        auto page = chorus::CounterPage::open(path, false);
        // No page yet: nothing has been counted on this host since boot.
        if (!page.ok() && page.code() != chorus::Errc::not_found) return chorus::fail(h, page.error());
        *text = chorus_dup_string(chorus::render_counters(page.ok() ? page->get() : nullptr));
        return *text != nullptr ? CHORUS_OK : CHORUS_ERR_NOMEM;
    })
}

}  // extern "C"
