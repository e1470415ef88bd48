// SPDX-License-Identifier: BSD-2-Clause
// Push approval inside the library: the protocol texts, the record lines,
// the signatures, and the endpoint's decisions over a real file store with a
// pinned clock. Push at a login and at registration is test_push_login;
// the whole path with chorus-web, the module and a device emulator is
// tests/push.
#include "push_fixture.hpp"

namespace {

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
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
