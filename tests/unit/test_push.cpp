// SPDX-License-Identifier: BSD-2-Clause
// Push approval inside the library: the protocol texts, the record lines,
// the signatures, and the endpoint's decisions over a real file store with a
// pinned clock. The whole path with chorus-web, the module and a device
// emulator is tests/push.
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

void test_serials_name_their_user_and_nothing_else(void**) {
    auto s = chorus::make_push_serial("alice.b");
    assert_true(s.ok());
    assert_string_equal(s->substr(0, 4).c_str(), "CHPU");
    assert_string_equal(chorus::push_serial_user(*s).value_or("?").c_str(), "alice.b");
    for (const char* bad :
         {"", "CHPU", "CHPUAAAAAAAAAAAAAAAA", "XHPUAAAAAAAAAAAAAAAAalice", "CHPUaaaaaaaaaaaaaaaaalice",
          "CHPUAAAAAAAAAAAAAAAA%2fetc", "CHPUAAAAAAAAAAAAAAAA.."})
        assert_false(chorus::push_serial_user(bad).has_value());
}

void test_timestamps_as_the_app_writes_them(void**) {
    assert_int_equal(chorus::parse_push_timestamp("2026-12-07T10:00:00.123456Z").value_or(0), 1796637600);
    assert_int_equal(chorus::parse_push_timestamp("2026-12-07T10:00:00Z").value_or(0), 1796637600);
    assert_int_equal(chorus::parse_push_timestamp("2026-12-07T10:00:00").value_or(0), 1796637600);
    assert_int_equal(chorus::parse_push_timestamp("2026-12-07T12:00:00.5+02:00").value_or(0), 1796637600);
    assert_int_equal(chorus::parse_push_timestamp("2026-12-07T09:30:00-00:30").value_or(0), 1796637600);
    for (const char* bad :
         {"", "2026-12-07", "2026-13-07T10:00:00Z", "2026-12-07T24:00:00Z", "2026-12-07T10:00:00.Z",
          "2026-12-07T10:00:00.1234567890Z", "2026-12-07T10:00:00+2", "2026-12-07T10:00:00ZZ",
          "2026/12/07T10:00:00Z", "2026-12-07T10:00:00+24:00"})
        assert_false(chorus::parse_push_timestamp(bad).has_value());
}

void test_options_are_distinct_and_hold_the_answer(void**) {
    for (int n = 2; n <= 10; ++n) {
        auto o = chorus::draw_push_options(n);
        assert_true(o.ok());
        assert_int_equal(o->joined.size(), static_cast<std::size_t>(3 * n - 1));
        assert_true(o->joined.find(o->answer) != std::string::npos);
    }
    assert_false(chorus::draw_push_options(1).ok());
    assert_false(chorus::draw_push_options(11).ok());
}

void test_push_lines_round_trip_and_bounds_hold(void**) {
    chorus::UserRecord rec;
    rec.recovery.push_back({"h"});
    rec.push_devices.push_back({"CHPUAAAAAAAAAAAAAAAAalice", "QUJD", 5});
    rec.push_pending = chorus::PushEnrollment{"CHPUBBBBBBBBBBBBBBBBalice", std::string(64, 'a'), 9, ""};
    rec.push_requests.push_back(
        {std::string(32, 'A'), "CHPUAAAAAAAAAAAAAAAAalice", 5, 65, "open", "01,02,03", "02", "host", "-"});
    auto text = chorus::encode_record(rec);
    assert_true(text.ok());
    assert_true(text->view().substr(0, 14) == "chorus-user 4\n");
    auto back = chorus::parse_record(text->view());
    assert_true(back.ok());
    assert_true(chorus::encode_record(*back)->view() == text->view());
    auto bad = rec;
    bad.push_requests[0].state = "maybe";
    assert_false(chorus::encode_record(bad).ok());
    bad = rec;
    bad.push_requests[0].answer = "04";  // not among the options
    assert_false(chorus::encode_record(bad).ok());
    bad = rec;
    bad.push_requests[0].host = "two words";
    assert_false(chorus::encode_record(bad).ok());
    bad = rec;
    bad.push_devices.push_back(rec.push_devices[0]);  // one phone only
    assert_false(chorus::encode_record(bad).ok());
    assert_string_equal(chorus::push_token_text("a b|c\n").c_str(), "a_b_c_");
    assert_string_equal(chorus::push_token_text("").c_str(), "-");
}

void test_app_keys_are_read_leniently_and_checked(void**) {
    const AppKey& k = shared_key(0);
    auto n = chorus::normalize_app_key(k.spki_b64);
    assert_true(n.ok());
    assert_string_equal(n->c_str(), k.spki_b64.c_str());
    std::string mangled = k.spki_b64;
    for (char& c : mangled)
        if (c == '+') c = ' ';  // an unescaped '+' in a form
    assert_string_equal(chorus::normalize_app_key(mangled)->c_str(), k.spki_b64.c_str());
    const AppKey& small = shared_key(2);
    assert_false(chorus::normalize_app_key(small.spki_b64).ok());
    assert_false(chorus::normalize_app_key("not base64!").ok());
    assert_false(chorus::normalize_app_key(k.spki_b64.substr(0, 40)).ok());
    assert_true(chorus::verify_app_signature(k.spki_b64, "x|y", k.sign("x|y")));
    assert_false(chorus::verify_app_signature(k.spki_b64, "x|z", k.sign("x|y")));
    assert_false(chorus::verify_app_signature(k.spki_b64, "x|y", shared_key(1).sign("x|y")));
    assert_false(chorus::verify_app_signature(k.spki_b64, "x|y", "not-base32"));
    assert_false(chorus::verify_app_signature("", "x|y", k.sign("x|y")));
}

void test_signing_key_file_rules(void**) {
    chorus_test::TempDir d;
    chorus_test::write_file(d.file("k"), "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
    assert_int_equal(static_cast<int>(chorus::PushSigner::load(d.file("k")).code()),
                     static_cast<int>(chorus::Errc::config));
    assert_int_equal(static_cast<int>(chorus::PushSigner::load(d.file("none")).code()),
                     static_cast<int>(chorus::Errc::not_found));
    assert_false(chorus::PushSigner::generate(d.file("k")).ok());  // never over an existing file
    auto pub = signer().public_key_pkcs1();
    assert_true(pub.ok() && pub->size() > 500);
}

void test_registration_takes_the_credential_once(void**) {
    PushFixture f;
    auto uri = chorus::push_enroll_begin(f.ctx, "alice");
    assert_true(uri.ok());
    assert_true(uri->rfind("otpauth://pipush/", 0) == 0);
    f.serial = query(*uri, "serial");
    PushFields fields = {{"enrollment_credential", std::string(40, '0')},
                         {"serial", f.serial},
                         {"fbtoken", "x"},
                         {"pubkey", f.app.spki_b64}};
    assert_int_equal(f.call("POST", fields).status, 400);  // wrong credential
    fields[0].second = query(*uri, "enrollment_credential");
    fields[3].second = shared_key(2).spki_b64;
    assert_int_equal(f.call("POST", fields).status, 400);  // weak key
    fields[3].second = f.app.spki_b64;
    auto r = f.call("POST", fields);
    assert_int_equal(r.status, 200);
    assert_true(r.body.find("\"public_key\"") != std::string::npos);
    assert_int_equal(f.call("POST", fields).status, 404);  // once only
    // A pending registration is not a method: no login push yet.
    auto t = chorus::push_request_start(f.ctx, "alice");
    assert_int_equal(static_cast<int>(t.code()), static_cast<int>(chorus::Errc::not_enrolled));
}

void test_registration_expires(void**) {
    PushFixture f;
    auto uri = chorus::push_enroll_begin(f.ctx, "alice");
    f.clock->advance(601);
    auto r = f.call("POST", {{"enrollment_credential", query(*uri, "enrollment_credential")},
                             {"serial", query(*uri, "serial")},
                             {"fbtoken", "x"},
                             {"pubkey", f.app.spki_b64}});
    assert_int_equal(r.status, 404);
}

void test_poll_shows_open_requests_signed(void**) {
    PushFixture f;
    f.register_phone();
    auto t = chorus::push_request_start(f.ctx, "alice");
    assert_true(t.ok());
    auto r = f.poll(f.app, kT0);
    assert_int_equal(r.status, 200);
    assert_true(r.body.find(t->nonce) != std::string::npos);
    assert_true(r.body.find("\"require_presence\"") != std::string::npos);
    assert_int_equal(f.poll(f.app, kT0 - 61).status, 400);  // outside ±60 s
    assert_int_equal(f.poll(f.app, kT0 + 61).status, 400);
    assert_int_equal(f.poll(shared_key(1), kT0).status, 400);  // another key
    f.clock->advance(61);                                      // expired: not shown
    const std::string later = f.poll(f.app, kT0 + 61).body;
    assert_true(later.find(t->nonce) == std::string::npos);
}

void test_answers_decide_once(void**) {
    PushFixture f;
    f.register_phone();
    // accepted, then taken once
    auto t = chorus::push_request_start(f.ctx, "alice");
    const AppKey& foreign = shared_key(1);
    assert_true(f.answer(*t, t->answer, &foreign).find("\"value\": false") != std::string::npos);
    assert_true(f.answer(*t, t->answer).find("\"value\": true") != std::string::npos);
    assert_true(f.answer(*t, t->answer).find("\"value\": false") != std::string::npos);  // replay
    auto a = chorus::push_request_finish(f.ctx, *t, false);
    assert_true(a.ok() && *a == chorus::PushAnswer::accepted);
    a = chorus::push_request_finish(f.ctx, *t, false);
    assert_true(a.ok() && *a == chorus::PushAnswer::expired);  // used: not twice
    // a wrong number
    t = chorus::push_request_start(f.ctx, "alice");
    const std::string wrong = t->answer == "00" ? "01" : "00";
    assert_true(f.answer(*t, wrong).find("\"value\": false") != std::string::npos);
    assert_true(*chorus::push_request_finish(f.ctx, *t, false) == chorus::PushAnswer::wrong);
    // declined
    t = chorus::push_request_start(f.ctx, "alice");
    auto r = f.call("POST", {{"nonce", t->nonce},
                             {"serial", f.serial},
                             {"decline", "1"},
                             {"signature", f.app.sign(t->nonce + "|" + f.serial + "|decline")}});
    assert_true(r.body.find("\"value\": true") != std::string::npos);
    assert_true(*chorus::push_request_finish(f.ctx, *t, false) == chorus::PushAnswer::declined);
    // unanswered, then too late
    t = chorus::push_request_start(f.ctx, "alice");
    f.clock->advance(61);
    assert_true(*chorus::push_request_finish(f.ctx, *t, true) == chorus::PushAnswer::expired);
    assert_true(f.answer(*t, t->answer).find("\"value\": false") != std::string::npos);
}

void test_fatigue_limit_and_lockout_send_nothing(void**) {
    PushFixture f;
    f.ctx.config.push.max_requests = 2;
    f.register_phone();  // its test request counts
    assert_true(chorus::push_request_start(f.ctx, "alice").ok());
    assert_int_equal(static_cast<int>(chorus::push_request_start(f.ctx, "alice").code()),
                     static_cast<int>(chorus::Errc::rate_limited));
    f.clock->advance(f.ctx.config.push.window + 61);  // the window moved on
    auto t = chorus::push_request_start(f.ctx, "alice");
    assert_true(t.ok());
    chorus::VerifyOutcome out;
    for (int i = 0; i < f.ctx.config.lockout.max_failures; ++i)
        assert_false(chorus::settle_push_answer(f.ctx, "alice", chorus::PushAnswer::declined, out).ok());
    assert_int_equal(static_cast<int>(chorus::push_request_start(f.ctx, "alice").code()),
                     static_cast<int>(chorus::Errc::locked));
}

void test_malformed_messages_are_refused(void**) {
    PushFixture f;
    f.register_phone();
    assert_int_equal(f.call("GET", {{"serial", f.serial}}).status, 400);
    assert_int_equal(f.call("POST", {{"serial", f.serial}}).status, 400);
    assert_int_equal(f.call("PUT", {}).status, 405);
    assert_int_equal(f.call("GET", {{"serial", f.serial}, {"serial", f.serial}}).status, 400);
    const std::string ts = iso(kT0);
    auto bad_ts = f.call("GET", {{"serial", f.serial}, {"timestamp", "soon"}, {"signature", "AAAA"}});
    assert_int_equal(bad_ts.status, 400);
    // the token update: signed, within five minutes
    auto upd = f.call("POST", {{"new_fb_token", "no_firebase_token"},
                               {"serial", f.serial},
                               {"timestamp", ts},
                               {"signature", f.app.sign("no_firebase_token|" + f.serial + "|" + ts)}});
    assert_int_equal(upd.status, 200);
    const std::string old = iso(kT0 - 301);
    upd = f.call("POST", {{"new_fb_token", "no_firebase_token"},
                          {"serial", f.serial},
                          {"timestamp", old},
                          {"signature", f.app.sign("no_firebase_token|" + f.serial + "|" + old)}});
    assert_int_equal(upd.status, 400);
    f.ctx.config.push.enabled = false;
    assert_int_equal(f.call("GET", {}).status, 403);
}

void test_removing_push_follows_the_last_method_rule(void**) {
    PushFixture f;
    f.register_phone();
    auto st = chorus::set_default_method(f.ctx, "alice", "push");
    assert_true(st.ok());
    assert_true(chorus::remove_method(f.ctx, "alice", "push").ok());
    auto rec = f.ctx.store->peek_record("alice");
    assert_true((*rec)->push_devices.empty());
    assert_string_equal((*rec)->default_method.c_str(), "app");
    assert_false(chorus::set_default_method(f.ctx, "alice", "push").ok());
}

// The C boundary: bad arguments are refused before anything runs, and the
// endpoint answers through a real context.
void test_c_api_edges(void**) {
    int status = 0;
    char* body = nullptr;
    char* uri = nullptr;
    assert_int_equal(chorus_push_endpoint(nullptr, "GET", nullptr, nullptr, 0, &status, &body),
                     CHORUS_ERR_INVALID_ARG);
    assert_int_equal(status, 500);
    assert_null(body);
    assert_int_equal(chorus_push_key_generate(nullptr), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_push_key_generate("relative.key"), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_push_enroll_begin(nullptr, "alice", &uri), CHORUS_ERR_INVALID_ARG);
    assert_null(uri);
    assert_int_equal(chorus_push_enroll_finish(nullptr, "alice", nullptr), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_push_register(nullptr, "alice", nullptr, 0), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_status_has_push(nullptr), 0);
    assert_int_equal(chorus_status_first_seen(nullptr), 0);
    assert_int_equal(chorus_status_grace_left(nullptr), -1);

    chorus_test::TempDir d;
    const std::string& key = signer_key_path();
    assert_int_equal(chorus_push_key_generate(key.c_str()), CHORUS_ERR_IO);  // never over a key
    const std::string cfg = d.file("chorus.yaml");
    chorus_test::write_file(
        cfg, "store: { path: " + d.file("state") +
                 " }\npush: { enabled: true, url: \"https://mfa.example.org/push\", key_file: " + key +
                 " }\n");
    chorus_ctx_t* ctx = nullptr;
    assert_int_equal(chorus_ctx_new(&ctx, cfg.c_str(), nullptr, nullptr, 0), CHORUS_OK);
    const char* names[] = {"serial", "timestamp", "signature"};
    const char* values[] = {"CHPUAAAAAAAAAAAAAAAAalice", "2026-12-07T10:00:00Z", "AAAA"};
    assert_int_equal(chorus_push_endpoint(ctx, "GET", names, values, 3, &status, &body), CHORUS_OK);
    assert_int_equal(status, 400);  // a stale time: refused, with an answer for the app
    assert_non_null(std::strstr(body, "\"status\": false"));
    chorus_string_free(&body);
    const char* none[] = {nullptr};
    assert_int_equal(chorus_push_endpoint(ctx, "GET", none, none, 1, &status, &body), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_push_endpoint(ctx, "GET", names, values, 65, &status, &body),
                     CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_push_enroll_begin(ctx, "alice", &uri), CHORUS_OK);
    assert_non_null(std::strstr(uri, "otpauth://pipush/"));
    chorus_string_free(&uri);
    chorus_ctx_free(&ctx);

    // Push disabled: nothing to begin; a missing key: no answer at all.
    chorus_test::write_file(
        cfg, "store: { path: " + d.file("state") + " }\npush: { key_file: " + d.file("no.key") + " }\n");
    assert_int_equal(chorus_ctx_new(&ctx, cfg.c_str(), nullptr, nullptr, 0), CHORUS_OK);
    assert_int_equal(chorus_push_enroll_begin(ctx, "alice", &uri), CHORUS_ERR_UNSUPPORTED);
    assert_int_not_equal(chorus_push_endpoint(ctx, "GET", names, values, 3, &status, &body), CHORUS_OK);
    assert_null(body);
    chorus_ctx_free(&ctx);
}

// A person at the conversation: ask() runs `act` with the prompt (to play
// the phone meanwhile) and answers Enter, or fails like a closed terminal.
class Person : public chorus::Prompter {
public:
    std::function<void(const std::string&)> act = [](const std::string&) {};
    std::function<void(const std::string&)> on_info = [](const std::string&) {};
    bool hang_up = false;
    std::vector<std::string> errors;
    chorus::Status info(std::string_view t) override {
        on_info(std::string(t));
        return {};
    }
    chorus::Status error(std::string_view t) override {
        errors.emplace_back(t);
        return {};
    }
    chorus::Result<chorus::SecretString> ask(std::string_view prompt, bool) override {
        if (hang_up) return chorus::make_error(chorus::Errc::conversation, "hung up");
        act(std::string(prompt));
        return chorus::SecretString("");
    }
};

// The two digits after "choose " (the number shown with a request).
std::string number_in(const std::string& text) {
    const std::size_t at = text.find("choose ");
    return at == std::string::npos ? std::string() : text.substr(at + 7, 2);
}

// The first open request's nonce in a poll reply. (No <regex>: GCC 12
// warns inside it under the sanitizers.)
std::string open_nonce(const std::string& body) {
    const std::string key = "\"nonce\": \"";
    const std::size_t at = body.find(key);
    return at == std::string::npos ? std::string() : body.substr(at + key.size(), 32);
}

void test_second_factor_paths(void**) {
    PushFixture f;
    f.register_phone();
    Person person;
    // The phone approves while the person is at the prompt.
    person.act = [&](const std::string& prompt) {
        chorus::PushTicket t;
        t.nonce = open_nonce(f.poll(f.app, kT0).body);
        f.answer(t, number_in(prompt));
    };
    chorus::VerifyOutcome out;
    assert_true(chorus::push_second_factor(f.ctx, "alice", person, out).ok());
    // The terminal closes at the prompt: the request is withdrawn.
    person.hang_up = true;
    assert_int_equal(static_cast<int>(chorus::push_second_factor(f.ctx, "alice", person, out).code()),
                     static_cast<int>(chorus::Errc::conversation));
    assert_true(open_nonce(f.poll(f.app, kT0).body).empty());
    // Past the fatigue limit: refused with words, counted as a wrong code.
    person.hang_up = false;
    f.ctx.config.push.max_requests = 3;
    assert_int_equal(static_cast<int>(chorus::push_second_factor(f.ctx, "alice", person, out).code()),
                     static_cast<int>(chorus::Errc::bad_code));
    assert_int_equal(person.errors.size(), 1);
    // No phone at all.
    f.enroll("bob");
    assert_int_equal(static_cast<int>(chorus::push_second_factor(f.ctx, "bob", person, out).code()),
                     static_cast<int>(chorus::Errc::bad_code));
}

void test_registration_edges(void**) {
    PushFixture f;
    Person person;
    assert_int_equal(static_cast<int>(chorus::push_enroll_finish(f.ctx, "alice", person).code()),
                     static_cast<int>(chorus::Errc::not_found));
    // The app never comes: expired.
    assert_true(chorus::push_enroll_begin(f.ctx, "alice").ok());
    f.clock->advance(601);
    assert_int_equal(static_cast<int>(chorus::push_enroll_finish(f.ctx, "alice", person).code()),
                     static_cast<int>(chorus::Errc::expired));
    // Another session starts its own registration while this one waits.
    assert_true(chorus::push_enroll_begin(f.ctx, "alice").ok());
    person.on_info = [&](const std::string&) { (void)chorus::push_enroll_begin(f.ctx, "alice"); };
    assert_int_equal(static_cast<int>(chorus::push_enroll_finish(f.ctx, "alice", person).code()),
                     static_cast<int>(chorus::Errc::conflict));
    // At a first login, a method registered meanwhile wins: nothing saved.
    std::string uri;
    person.on_info = [&](const std::string& t) {
        if (t.rfind("Or open this link on the phone: ", 0) == 0) uri = t.substr(32);
    };
    person.act = [&](const std::string& prompt) {
        if (prompt.find("shows the new token") != std::string::npos) {
            f.serial = query(uri, "serial");
            f.call("POST", {{"enrollment_credential", query(uri, "enrollment_credential")},
                            {"serial", f.serial},
                            {"fbtoken", "x"},
                            {"pubkey", f.app.spki_b64}});
            return;
        }
        chorus::PushTicket t;
        t.nonce = open_nonce(f.poll(f.app, f.ctx.now()).body);
        f.answer(t, number_in(prompt));
    };
    chorus::RegisterOptions ro;
    ro.offer_push = true;
    ro.only_if_unregistered = true;
    ro.show_qr = false;
    person.act = [act = person.act](const std::string& prompt) {
        if (prompt.find("Choose 1 or 2") == std::string::npos) act(prompt);
    };
    // "Enter" at the choice means the app; the push path is taken with "2".
    class Chooser : public Person {
    public:
        chorus::Result<chorus::SecretString> ask(std::string_view prompt, bool echo) override {
            if (prompt.find("Choose 1 or 2") != std::string_view::npos) return chorus::SecretString("2");
            return Person::ask(prompt, echo);
        }
    } chooser;
    chooser.on_info = person.on_info;
    chooser.act = person.act;
    auto r = chorus::register_interactively(f.ctx, "alice", chooser, ro);
    assert_true(r.ok() && *r == chorus::RegisterResult::registered_meanwhile);
    auto rec = f.ctx.store->peek_record("alice");
    assert_true((*rec)->push_devices.empty());
    // The terminal closes at the test request: the registration fails.
    chooser.hang_up = true;
    assert_false(chorus::push_register(f.ctx, "alice", chooser, chorus::QrStyle::ascii, false).ok());
}

void test_missing_fields_and_last_method(void**) {
    PushFixture f;
    f.register_phone();
    assert_int_equal(f.call("POST", {{"pubkey", "x"}}).status, 400);
    assert_int_equal(f.call("POST", {{"new_fb_token", "x"}}).status, 400);
    assert_int_equal(f.call("POST", {{"signature", "x"}}).status, 400);
    // The phone as the only method stays; with nothing to remove, nothing is.
    auto txn = f.ctx.store->begin("alice");
    auto rec = (*txn)->record();
    chorus::UserRecord only = **rec;
    only.totp.reset();
    only.recovery.clear();
    only.default_method = "push";
    assert_true((*txn)->put_record(only).ok());
    txn->reset();
    assert_int_equal(static_cast<int>(chorus::remove_method(f.ctx, "alice", "push").code()),
                     static_cast<int>(chorus::Errc::permission));
    f.enroll("carol");
    assert_int_equal(static_cast<int>(chorus::remove_method(f.ctx, "carol", "push").code()),
                     static_cast<int>(chorus::Errc::not_found));
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serials_name_their_user_and_nothing_else),
        cmocka_unit_test(test_timestamps_as_the_app_writes_them),
        cmocka_unit_test(test_options_are_distinct_and_hold_the_answer),
        cmocka_unit_test(test_push_lines_round_trip_and_bounds_hold),
        cmocka_unit_test(test_app_keys_are_read_leniently_and_checked),
        cmocka_unit_test(test_signing_key_file_rules),
        cmocka_unit_test(test_registration_takes_the_credential_once),
        cmocka_unit_test(test_registration_expires),
        cmocka_unit_test(test_poll_shows_open_requests_signed),
        cmocka_unit_test(test_answers_decide_once),
        cmocka_unit_test(test_fatigue_limit_and_lockout_send_nothing),
        cmocka_unit_test(test_malformed_messages_are_refused),
        cmocka_unit_test(test_removing_push_follows_the_last_method_rule),
        cmocka_unit_test(test_c_api_edges),
        cmocka_unit_test(test_second_factor_paths),
        cmocka_unit_test(test_registration_edges),
        cmocka_unit_test(test_missing_fields_and_last_method),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
