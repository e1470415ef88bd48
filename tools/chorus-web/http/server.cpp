// SPDX-License-Identifier: BSD-2-Clause
#include "http/server.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace chorus_web {
namespace {

struct Upload {
    std::string body;
    bool too_large = false;
};

std::string header(MHD_Connection* c, const char* name) {
    const char* v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v != nullptr ? std::string(v).substr(0, 512) : std::string();
}

std::string peer_address(MHD_Connection* c, bool& loopback) {
    loopback = false;
    const union MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == nullptr || info->client_addr == nullptr) return "unknown";
    char buf[INET6_ADDRSTRLEN] = {};
    const struct sockaddr* sa = info->client_addr;
    if (sa->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const struct sockaddr_in*>(sa);
        loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        (void)::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    } else if (sa->sa_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const struct sockaddr_in6*>(sa);
        loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        (void)::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    }
    return buf;
}

// The client: the peer, or behind a trusted proxy on loopback the last
// address of X-Forwarded-For (the one the proxy itself added).
std::string client_address(MHD_Connection* c, bool trusted_proxy) {
    bool loopback = false;
    std::string peer = peer_address(c, loopback);
    if (!trusted_proxy || !loopback) return peer;
    std::string xff = header(c, "X-Forwarded-For");
    const std::size_t comma = xff.rfind(',');
    std::string last = comma == std::string::npos ? xff : xff.substr(comma + 1);
    last.erase(0, last.find_first_not_of(' '));
    last.erase(last.find_last_not_of(' ') + 1);
    unsigned char buf[sizeof(struct in6_addr)];
    if (::inet_pton(AF_INET, last.c_str(), buf) == 1 || ::inet_pton(AF_INET6, last.c_str(), buf) == 1)
        return last;
    return peer;
}

MHD_Result collect_argument(void* cls, enum MHD_ValueKind /*kind*/, const char* key, const char* value) {
    auto* args = static_cast<std::vector<std::pair<std::string, std::string>>*>(cls);
    if (args->size() >= 32) return MHD_NO;
    args->emplace_back(key != nullptr ? key : "", value != nullptr ? value : "");
    return MHD_YES;
}

std::string session_cookie(MHD_Connection* c) {
    const char* v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, kSessionCookie);
    return v != nullptr ? std::string(v).substr(0, 128) : std::string();
}

MHD_Result send(MHD_Connection* c, const Response& r) {
    MHD_Response* resp = MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()),
                                                         MHD_RESPMEM_MUST_COPY);
    if (resp == nullptr) return MHD_NO;
    (void)MHD_add_response_header(resp, "Content-Type", r.content_type.c_str());
    for (const auto& [k, v] : r.headers) (void)MHD_add_response_header(resp, k.c_str(), v.c_str());
    const MHD_Result ret = MHD_queue_response(c, static_cast<unsigned>(r.status), resp);
    MHD_destroy_response(resp);
    return ret;
}

MHD_Result on_request(void* cls, MHD_Connection* c, const char* url, const char* method,
                      const char* /*version*/, const char* data, size_t* size, void** state) {
    auto* app = static_cast<App*>(cls);
    if (*state == nullptr) {
        *state = new Upload();
        return MHD_YES;
    }
    auto* up = static_cast<Upload*>(*state);
    if (*size != 0) {
        if (!up->too_large && up->body.size() + *size <= kMaxBody)
            up->body.append(data, *size);
        else
            up->too_large = true;
        *size = 0;
        return MHD_YES;
    }
    Request r;
    r.method = method;
    r.path = url;
    r.client = client_address(c, app->settings().trusted_proxy);
    bool loopback = false;
    (void)peer_address(c, loopback);
    r.local_direct = loopback && header(c, "X-Forwarded-For").empty() && header(c, "Forwarded").empty() &&
                     header(c, "X-Real-IP").empty();
    r.cookie_session = session_cookie(c);
    r.origin = header(c, "Origin");
    r.sec_fetch_site = header(c, "Sec-Fetch-Site");
    r.body_too_large = up->too_large;
    if (r.method == "POST" && !up->too_large) r.form = parse_form(up->body);
    if (r.path == "/push" && r.method == "POST" && !up->too_large) r.args = parse_form_pairs(up->body);
    if (r.path == "/push" && r.method == "GET")
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, &collect_argument, &r.args);
    return send(c, app->handle(r));
}

void on_completed(void* /*cls*/, MHD_Connection* /*c*/, void** state, MHD_RequestTerminationCode /*why*/) {
    auto* up = static_cast<Upload*>(*state);
    if (up != nullptr) {
        std::memset(up->body.data(), 0, up->body.size());  // passwords travel in bodies
        delete up;
    }
    *state = nullptr;
}

}  // namespace

Server::Server(App& app, int listen_fd) : app_(app) {
    // Behind a proxy on this host every connection comes from loopback: the
    // proxy limits clients then, not a per-address cap here.
    const unsigned per_address = app.settings().trusted_proxy ? 0U : 32U;
    const auto idle = static_cast<unsigned>(app.settings().request_timeout);
    // clang-format off
    daemon_ = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, nullptr, nullptr,
        &on_request, &app_,
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_NOTIFY_COMPLETED, &on_completed, nullptr,
        MHD_OPTION_CONNECTION_LIMIT, 512U,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
        MHD_OPTION_CONNECTION_TIMEOUT, idle,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<size_t>(32 * 1024),
        MHD_OPTION_END);
    // clang-format on
}

Server::~Server() {
    if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

}  // namespace chorus_web
