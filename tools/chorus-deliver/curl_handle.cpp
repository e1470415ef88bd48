// SPDX-License-Identifier: BSD-2-Clause
#include "curl_handle.hpp"

#include <cstring>

#include "common/secret.hpp"

namespace chorus_deliver {

Transfer::Transfer(const char* protocols, long timeout_ms) : handle_(curl_easy_init()) {
    if (timeout_ms < 1) timeout_ms = 1;  // 0 would mean "no timeout" to curl
    CURL* h = handle_.get();
    if (h == nullptr) return;
    bool ok = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
              // No proxy, whatever the environment said (it is cleared anyway).
              curl_easy_setopt(h, CURLOPT_PROXY, "") == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf_) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Transfer::on_write) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_WRITEDATA, this) == CURLE_OK &&
              curl_easy_setopt(h, CURLOPT_USERAGENT, "chorus-deliver") == CURLE_OK;
    if (!ok) handle_.reset();
}

void SlistDeleter::operator()(curl_slist* l) const noexcept {
    for (curl_slist* p = l; p != nullptr; p = p->next)
        if (p->data != nullptr) chorus_tools::wipe(p->data, std::strlen(p->data));
    curl_slist_free_all(l);
}

bool Transfer::header(const char* line) {
    curl_slist* grown = curl_slist_append(headers_.get(), line);
    if (grown == nullptr) return false;
    (void)headers_.release();
    headers_.reset(grown);
    return true;
}

CURLcode Transfer::perform() {
    if (headers_) {
        CURLcode rc = curl_easy_setopt(handle_.get(), CURLOPT_HTTPHEADER, headers_.get());
        if (rc != CURLE_OK) return rc;
    }
    errbuf_[0] = '\0';
    body_.clear();
    return curl_easy_perform(handle_.get());
}

long Transfer::response_code() const {
    long code = 0;
    if (curl_easy_getinfo(handle_.get(), CURLINFO_RESPONSE_CODE, &code) != CURLE_OK) return 0;
    return code;
}

std::string Transfer::error(CURLcode rc) const {
    return errbuf_[0] != '\0' ? std::string(errbuf_) : std::string(curl_easy_strerror(rc));
}

size_t Transfer::on_write(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    size_t len = size * n;
    if (t->body_.size() + len > kMaxResponse) return 0;  // aborts: CURLE_WRITE_ERROR
    t->body_.append(data, len);
    return len;
}

bool is_network_failure(CURLcode rc) {
    switch (rc) {
    case CURLE_OK:
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
        return false;
    default:
        return true;
    }
}

}  // namespace chorus_deliver
