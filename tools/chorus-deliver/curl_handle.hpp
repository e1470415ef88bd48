// SPDX-License-Identifier: BSD-2-Clause
// libcurl handles with RAII and the settings every transfer shares: no
// proxy, no redirects, only the expected protocols, TLS verification on,
// a deadline, a capped response body.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "deliver.hpp"

namespace chorus_deliver {

struct CurlDeleter {
    void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
// Header lines may hold a rendered template (delivery.gateway_headers):
// wiped before they are freed.
struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept;
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

inline constexpr std::size_t kMaxResponse = 64 * 1024;

// One transfer: the handle, its error text and what the server sent back.
class Transfer {
public:
    // protocols: "http,https" or "smtp,smtps". timeout_ms: the whole transfer.
    Transfer(const char* protocols, long timeout_ms);
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    [[nodiscard]] bool ok() const { return handle_ != nullptr; }
    [[nodiscard]] CURL* get() const { return handle_.get(); }
    // Adds a request header (kept until the transfer ends). False when out
    // of memory.
    bool header(const char* line);
    CURLcode perform();
    // The server's last status code (HTTP status or SMTP reply), 0 if none.
    [[nodiscard]] long response_code() const;
    [[nodiscard]] const std::string& body() const { return body_; }
    // curl's description of the last failure (never contains request data).
    [[nodiscard]] std::string error(CURLcode rc) const;

private:
    static size_t on_write(char* data, size_t size, size_t n, void* self);

    CurlPtr handle_;
    SlistPtr headers_;
    std::string body_;
    char errbuf_[CURL_ERROR_SIZE] = {};
};

// True for the curl results that mean "could not talk to the server"
// (connection, DNS, TLS, timeout) rather than "the server said no".
bool is_network_failure(CURLcode rc);

}  // namespace chorus_deliver
