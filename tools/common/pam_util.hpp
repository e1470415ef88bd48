// SPDX-License-Identifier: BSD-2-Clause
// The PAM application side the tools share: a transaction that always
// ends, and the answers of a conversation, wiped and freed on every path
// that does not hand them to PAM.
#pragma once

#include <security/pam_appl.h>

#include <cstdlib>
#include <cstring>

#include "common/secret.hpp"

namespace chorus_tools {

// pam_end() with the last result, on every path.
class PamTxn {
public:
    PamTxn() = default;
    ~PamTxn() {
        if (h_ != nullptr) (void)::pam_end(h_, last_);
    }
    PamTxn(const PamTxn&) = delete;
    PamTxn& operator=(const PamTxn&) = delete;
    pam_handle_t** out() { return &h_; }
    [[nodiscard]] pam_handle_t* get() const { return h_; }
    int track(int rc) { return last_ = rc; }

private:
    pam_handle_t* h_ = nullptr;
    int last_ = PAM_SUCCESS;
};

// The n answers of one conversation call. PAM frees what release() hands
// it; anything not released is wiped and freed here.
class PamReplies {
public:
    explicit PamReplies(int n)
        : n_(n),
          r_(n > 0 && n <= PAM_MAX_NUM_MSG ? static_cast<struct pam_response*>(std::calloc(
                                                 static_cast<size_t>(n), sizeof(struct pam_response)))
                                           : nullptr) {}
    ~PamReplies() {
        if (r_ == nullptr) return;
        for (int i = 0; i < n_; ++i) {
            if (r_[i].resp == nullptr) continue;
            wipe(r_[i].resp, std::strlen(r_[i].resp));
            std::free(r_[i].resp);
        }
        std::free(r_);
    }
    PamReplies(const PamReplies&) = delete;
    PamReplies& operator=(const PamReplies&) = delete;
    explicit operator bool() const { return r_ != nullptr; }
    // Copies text as answer i; false when out of memory.
    bool set(int i, const char* text) { return (r_[i].resp = ::strdup(text)) != nullptr; }
    struct pam_response* release() {
        struct pam_response* r = r_;
        r_ = nullptr;
        return r;
    }

private:
    int n_;
    struct pam_response* r_;
};

}  // namespace chorus_tools
