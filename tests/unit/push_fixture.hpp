// SPDX-License-Identifier: BSD-2-Clause
// Shared by the push unit tests (test_push, test_push_login): an app key
// made here as the phone makes its own, the site's signing key, and a
// fixture with push on over a real file store and a pinned clock.
#pragma once

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <ctime>
#include <functional>
#include <map>
#include <string>

#include "chorus/chorus_push.h"
#include "flow_fixture.hpp"
#include "flows/methods.hpp"
#include "flows/push.hpp"
#include "flows/push_endpoint.hpp"
#include "flows/push_enroll.hpp"
#include "flows/register.hpp"
#include "otp/base32.hpp"
#include "push/protocol.hpp"
#include "push/push_crypto.hpp"
#include "store/record_codec.hpp"
#include "store/record_push.hpp"

namespace {

using chorus::PushFields;
using chorus_test::FlowFixture;
using chorus_test::kT0;

// ---- an app key made here, as the phone makes its own
struct AppKey {
    chorus::PkeyPtr key;
    std::string spki_b64;
    explicit AppKey(int bits = 2048) : key(EVP_RSA_gen(static_cast<unsigned>(bits))) {
        unsigned char* der = nullptr;
        const int n = i2d_PUBKEY(key.get(), &der);
        spki_b64 = chorus::base64_encode(
            std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(n)));
        OPENSSL_free(der);
    }
    std::string sign(const std::string& text) const {
        EVP_MD_CTX* c = EVP_MD_CTX_new();
        std::size_t len = 0;
        EVP_DigestSignInit(c, nullptr, EVP_sha256(), nullptr, key.get());
        EVP_DigestSign(c, nullptr, &len, reinterpret_cast<const unsigned char*>(text.data()), text.size());
        std::string sig(len, '\0');
        EVP_DigestSign(c, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size());
        EVP_MD_CTX_free(c);
        return std::string(
            chorus::base32_encode(reinterpret_cast<const std::uint8_t*>(sig.data()), len, true).view());
    }
};

std::string iso(std::int64_t t) {
    char buf[64];
    const time_t tt = static_cast<time_t>(t);
    struct tm tm {};
    gmtime_r(&tt, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.123456Z", &tm);
    return buf;
}

std::string query(const std::string& uri, const std::string& key) {
    const std::size_t at = uri.find(key + "=");
    if (at == std::string::npos) return {};
    const std::size_t from = at + key.size() + 1;
    return uri.substr(from, uri.find('&', from) - from);
}

// RSA keys are slow to make (very slow under valgrind): the signing key is
// a test key from the data directory, copied where the trusted-file rules
// accept it, and the app keys are made once per program.
const std::string& signer_key_path() {
    static chorus_test::TempDir dir;
    static const std::string path = [] {
        std::ifstream in(std::string(CHORUS_TEST_DATA) + "/push/signing.key");
        std::stringstream text;
        text << in.rdbuf();
        chorus_test::write_file(dir.file("push.key"), text.str(), 0600);
        return dir.file("push.key");
    }();
    return path;
}

const chorus::PushSigner& signer() {
    static const chorus::PushSigner s = [] {
        auto loaded = chorus::PushSigner::load(signer_key_path());
        if (!loaded.ok()) abort();
        return std::move(loaded).value();
    }();
    return s;
}

// 0: the phone's key, 1: another phone's, 2: a weak 1024-bit key.
const AppKey& shared_key(int which) {
    static const AppKey keys[] = {AppKey(2048), AppKey(2048), AppKey(1024)};
    return keys[which];
}

struct PushFixture : FlowFixture {
    const AppKey& app = shared_key(0);
    std::string serial;
    PushFixture() {
        ctx.config.push.enabled = true;
        ctx.config.push.url = "https://mfa.example.org/push";
        enroll("alice");
    }
    chorus::PushHttpReply call(const char* method, PushFields f) {
        return chorus::push_endpoint(ctx, signer(), method, f);
    }
    // A registered phone: QR, registration, test request approved, saved.
    void register_phone() {
        auto uri = chorus::push_enroll_begin(ctx, "alice");
        assert_true(uri.ok());
        serial = query(*uri, "serial");
        auto r = call("POST", {{"enrollment_credential", query(*uri, "enrollment_credential")},
                               {"serial", serial},
                               {"fbtoken", "no_firebase_token"},
                               {"pubkey", app.spki_b64}});
        assert_int_equal(r.status, 200);
        auto t = chorus::push_request_start(ctx, "alice", true);
        assert_true(t.ok());
        assert_true(answer(*t, t->answer).find("\"value\": true") != std::string::npos);
        // What push_enroll_finish does after the wait, through its public half.
        auto rec = ctx.store->peek_record("alice");
        assert_true(rec.ok() && *rec && (*rec)->push_pending && !(*rec)->push_pending->app_key.empty());
        auto finished = chorus::push_request_finish(ctx, *t, false);
        assert_true(finished.ok() && *finished == chorus::PushAnswer::accepted);
        chorus::UserRecord saved = **rec;
        saved.push_devices.push_back({serial, saved.push_pending->app_key, kT0});
        saved.push_pending.reset();
        saved.default_method = "push";
        auto txn = ctx.store->begin("alice");
        assert_true(txn.ok() && (*txn)->put_record(saved).ok());
    }
    std::string answer(const chorus::PushTicket& t, const std::string& choice, const AppKey* key = nullptr) {
        const std::string text = t.nonce + "|" + serial + "|" + choice;
        return call("POST", {{"nonce", t.nonce},
                             {"serial", serial},
                             {"signature", (key ? key : &app)->sign(text)},
                             {"presence_answer", choice}})
            .body;
    }
    chorus::PushHttpReply poll(const AppKey& key, std::int64_t at) {
        const std::string ts = iso(at);
        return call("GET",
                    {{"serial", serial}, {"timestamp", ts}, {"signature", key.sign(serial + "|" + ts)}});
    }
};

}  // namespace
