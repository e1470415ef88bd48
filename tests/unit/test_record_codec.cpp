// SPDX-License-Identifier: BSD-2-Clause
// The user-record text format and the live-state slots: exact round trips,
// and every damaged, truncated or unexpected input refused as corrupt.
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "store/live_slots.hpp"
#include "store/record_codec.hpp"
// Last: cmocka defines macros (fail, ...) that clash with the standard headers.
#include "testutil.hpp"

using namespace chorus;

namespace {

UserRecord full_record() {
    UserRecord r;
    TotpKey k;
    for (int i = 0; i < 64; ++i) k.secret.push_back(static_cast<std::uint8_t>(i * 7 + 1));
    k.params = TotpParams{HashAlgorithm::sha512, 8, 60};
    k.window = 3;
    r.totp = std::move(k);
    r.recovery = {HashedCode{"$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaDE"}, HashedCode{"h2"}};
    r.phone = "+15551234567";
    r.email = "J\xc3\xb6rg <jorg@example.com>";
    r.default_method = "sms";
    r.history = {"$argon2id$new", "$argon2id$old"};
    PendingReset p;
    p.code_hash = "reset-hash";
    p.reset_id = "0123abcd";
    p.expires_at = 1700000300;
    p.last_sent_at = 1700000000;
    p.attempts = 2;
    p.sends = {1699990000, 1700000000};
    p.locked_until = -5;
    r.reset = std::move(p);
    r.first_seen = 1690000000;
    r.enrolled_at = 1690000100;
    return r;
}

void expect_same(const UserRecord& a, const UserRecord& b) {
    assert_int_equal(a.totp.has_value(), b.totp.has_value());
    if (a.totp) {
        assert_true(a.totp->secret == b.totp->secret);
        assert_true(a.totp->params.algorithm == b.totp->params.algorithm);
        assert_int_equal(a.totp->params.digits, b.totp->params.digits);
        assert_int_equal(a.totp->params.period, b.totp->params.period);
        assert_int_equal(a.totp->window, b.totp->window);
    }
    assert_int_equal(a.recovery.size(), b.recovery.size());
    for (std::size_t i = 0; i < a.recovery.size(); ++i) assert_true(a.recovery[i].hash == b.recovery[i].hash);
    assert_true(a.phone == b.phone && a.email == b.email && a.default_method == b.default_method);
    assert_true(a.phone2 == b.phone2);
    assert_true(a.totp_name == b.totp_name);
    assert_int_equal(a.more_apps.size(), b.more_apps.size());
    for (std::size_t i = 0; i < a.more_apps.size(); ++i) {
        const auto &x = a.more_apps[i], &y = b.more_apps[i];
        assert_true(x.name == y.name && x.key.secret == y.key.secret && x.key.sealed == y.key.sealed);
        assert_true(x.key.params.algorithm == y.key.params.algorithm);
        assert_int_equal(x.key.params.digits, y.key.params.digits);
        assert_int_equal(x.key.params.period, y.key.params.period);
        assert_int_equal(x.key.window, y.key.window);
        assert_int_equal(x.last_step, y.last_step);
    }
    assert_int_equal(a.phone_proven_at, b.phone_proven_at);
    assert_int_equal(a.email_proven_at, b.email_proven_at);
    assert_int_equal(a.phone2_proven_at, b.phone2_proven_at);
    assert_true(a.history == b.history);
    assert_int_equal(a.reset.has_value(), b.reset.has_value());
    if (a.reset) {
        assert_true(a.reset->code_hash == b.reset->code_hash && a.reset->reset_id == b.reset->reset_id);
        assert_true(a.reset->expires_at == b.reset->expires_at &&
                    a.reset->last_sent_at == b.reset->last_sent_at);
        assert_true(a.reset->attempts == b.reset->attempts && a.reset->sends == b.reset->sends);
        assert_true(a.reset->locked_until == b.reset->locked_until);
    }
    assert_true(a.first_seen == b.first_seen && a.enrolled_at == b.enrolled_at);
}

// A body with a correct checksum line, to test what the parser does after
// the checksum passes.
std::string with_checksum(const std::string& body) {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(body.data(), body.size(), md, &len, EVP_sha256(), nullptr);
    std::string out = body + "sha256 ";
    static const char hex[] = "0123456789abcdef";
    for (unsigned char c : md) {
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xf]);
    }
    return out + "\n";
}

void expect_corrupt(const std::string& text) {
    auto r = parse_record(text);
    if (r.ok()) fail_msg("accepted: %s", text.c_str());
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::corrupt));
}

void test_full_record_round_trips(void**) {
    UserRecord r = full_record();
    auto text = encode_record(r);
    assert_true(text.ok());
    auto back = parse_record(text->view());
    assert_true(back.ok());
    expect_same(r, *back);
    // Encoding is canonical: the same record always gives the same bytes.
    auto again = encode_record(*back);
    assert_true(again.ok() && again->view() == text->view());
}

void test_minimal_record_round_trips(void**) {
    UserRecord r;
    auto text = encode_record(r);
    assert_true(text.ok());
    assert_true(text->view().substr(0, 14) == "chorus-user 1\n");
    auto back = parse_record(text->view());
    assert_true(back.ok());
    expect_same(r, *back);
    assert_false(back->totp.has_value() || back->reset.has_value());
}

void test_control_characters_are_refused_on_encode(void**) {
    UserRecord r;
    r.email = "a@b.c\nrecovery injected";
    assert_int_equal(static_cast<int>(encode_record(r).code()), static_cast<int>(Errc::invalid_argument));
    r.email.clear();
    r.history = {"ok", "bad\r"};
    assert_false(encode_record(r).ok());
    r.history.clear();
    r.recovery = {HashedCode{""}};
    assert_false(encode_record(r).ok());
}

void test_every_truncation_is_corrupt(void**) {
    auto text = encode_record(full_record());
    assert_true(text.ok());
    std::string s(text->view());
    for (std::size_t n = 0; n < s.size(); ++n) expect_corrupt(s.substr(0, n));
    expect_corrupt(s + "x\n");  // anything after the checksum line too
}

void test_every_bit_flip_is_corrupt(void**) {
    auto text = encode_record(full_record());
    assert_true(text.ok());
    std::string s(text->view());
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int bit = 0; bit < 8; ++bit) {
            std::string t = s;
            t[i] = static_cast<char>(t[i] ^ (1 << bit));
            assert_false(parse_record(t).ok());
        }
}

void test_unknown_and_repeated_keys_are_corrupt(void**) {
    expect_corrupt(with_checksum("chorus-user 1\nshell /bin/sh\n"));
    expect_corrupt(with_checksum("chorus-user 1\nphone +1\nphone +2\n"));
    expect_corrupt(with_checksum("chorus-user 1\nfirst_seen 1\nfirst_seen 1\n"));
    expect_corrupt(with_checksum("chorus-user 1\nnovalue\n"));
    expect_corrupt(with_checksum("chorus-user 1\n\n"));
    expect_corrupt(with_checksum("chorus-user 2\n"));
    expect_corrupt(with_checksum("chorus-users 1\n"));
    expect_corrupt(with_checksum("phone +1\n"));
    assert_true(parse_record(with_checksum("chorus-user 1\nrecovery a\nrecovery b\n")).ok());
}

void test_bad_values_are_corrupt(void**) {
    const std::string h = "chorus-user 1\n";
    for (const char* line : {"totp.digits 6\n", "totp.secret 0A\n", "totp.secret abc\n", "totp.secret \n",
                             "totp.secret 00\ntotp.digits 06\n", "totp.secret 00\ntotp.digits +6\n",
                             "totp.secret 00\ntotp.digits 9\n", "totp.secret 00\ntotp.period 0\n",
                             "totp.secret 00\ntotp.algorithm MD5\n", "totp.secret 00\ntotp.algorithm sha1\n",
                             "first_seen -0\n", "first_seen 99999999999999999999\n", "first_seen 1x\n",
                             "reset.attempts -1\n", "default_method SMS\n", "phone \n", "history \n"})
        expect_corrupt(with_checksum(h + line));
    std::string many = h;
    for (int i = 0; i < 101; ++i) many += "recovery x\n";
    expect_corrupt(with_checksum(many));
    assert_true(parse_record(with_checksum(h + "totp.secret 00ff\nfirst_seen -12\n")).ok());
}

// ---- format versions ------------------------------------------------------------

// A record with proven contacts or an alternate phone is version 2; one
// without is still written as version 1, which the release before reads.
void test_version_is_the_lowest_that_holds_the_record(void**) {
    UserRecord r = full_record();
    auto v1 = encode_record(r);
    assert_true(v1.ok());
    assert_true(v1->view().substr(0, 14) == "chorus-user 1\n");
    for (int field = 0; field < 3; ++field) {
        UserRecord v = full_record();
        if (field == 0) v.phone_proven_at = 1700000000;
        if (field == 1) v.email_proven_at = 1700000001;
        if (field == 2) v.phone2 = "+15557654321";
        auto text = encode_record(v);
        assert_true(text.ok());
        assert_true(text->view().substr(0, 14) == "chorus-user 2\n");
        auto back = parse_record(text->view());
        assert_true(back.ok());
        expect_same(v, *back);
    }
    r.phone_proven_at = 1700000000;
    r.email_proven_at = 1700000001;
    r.phone2 = "+15557654321";
    r.phone2_proven_at = 1700000002;
    r.default_method = "call2";
    auto text = encode_record(r);
    assert_true(text.ok());
    auto back = parse_record(text->view());
    assert_true(back.ok());
    expect_same(r, *back);
}

// Version 1 knew no proofs: its contacts read as not proven, and a version
// 1 file may not carry version 2 keys.
void test_version_1_contacts_read_as_not_proven(void**) {
    auto r = parse_record(with_checksum("chorus-user 1\nphone +15551234567\nemail a@example.org\n"));
    assert_true(r.ok());
    assert_string_equal(r->phone.c_str(), "+15551234567");
    assert_int_equal(r->phone_proven_at, 0);
    assert_int_equal(r->email_proven_at, 0);
    for (const char* line : {"phone.proven_at 5\n", "email.proven_at 5\n", "phone2 +15557654321\n"})
        expect_corrupt(
            with_checksum(std::string("chorus-user 1\nphone +1555123456\nemail a@b.org\n") + line));
}

void test_version_2_rules(void**) {
    const std::string h = "chorus-user 2\nphone +15551234567\n";
    assert_true(parse_record(with_checksum(h + "phone.proven_at 5\n")).ok());
    // Written only when it holds something of version 2, one spelling only.
    expect_corrupt(with_checksum(h));
    // A proof needs its contact, and a time after the epoch.
    for (const char* line : {"email.proven_at 5\n", "phone2.proven_at 5\n", "phone.proven_at 0\n",
                             "phone.proven_at -5\n", "phone.proven_at 05\n", "phone2 \n"})
        expect_corrupt(with_checksum(h + line));
    // A newer format is refused, never guessed at (a downgrade denies).
    expect_corrupt(with_checksum("chorus-user 3\nphone +15551234567\n"));
    UserRecord orphan;
    orphan.email_proven_at = 5;
    assert_false(encode_record(orphan).ok());
}

// Several apps are version 3: the first app's name, one line per further app.
void test_version_3_holds_several_apps(void**) {
    UserRecord r = full_record();
    r.totp_name = "work phone";
    AppKey tablet;
    tablet.name = "old tablet (2019)";
    tablet.key.secret = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    tablet.key.params = TotpParams{HashAlgorithm::sha256, 8, 60};
    tablet.key.window = 2;
    tablet.last_step = 60000000;
    r.more_apps.push_back(tablet);
    tablet.name = "x";
    tablet.key.sealed = true;
    tablet.last_step = 0;
    r.more_apps.push_back(tablet);
    auto text = encode_record(r);
    assert_true(text.ok());
    assert_true(text->view().substr(0, 14) == "chorus-user 3\n");
    assert_true(
        text->view().find("\napp secret 0102030405060708090a SHA256 8 60 2 60000000 old tablet (2019)\n") !=
        std::string_view::npos);
    auto back = parse_record(text->view());
    assert_true(back.ok());
    expect_same(r, *back);
    // Version 2 does not know them; a further app needs a first one; bounds hold.
    const std::string app = "app secret 00ff SHA1 6 30 -1 5 tablet\n";
    expect_corrupt(with_checksum("chorus-user 2\nphone +15551234567\nphone.proven_at 5\n" + app));
    expect_corrupt(with_checksum("chorus-user 3\n" + app));
    expect_corrupt(with_checksum("chorus-user 3\ntotp.name laptop\n"));  // a name of no app
    const std::string h = "chorus-user 3\ntotp.secret 00\n";
    assert_true(parse_record(with_checksum(h + app)).ok());
    for (const char* line :
         {"app secret 00ff SHA1 6 30 -1 5 \n", "app secret 00ff SHA1 6 30 -1 5  tablet\n",
          "app secret 00ff SHA1 6 30 -1 -5 tablet\n", "app secret 00ff SHA1 6 30 -1 05 t\n",
          "app open 00ff SHA1 6 30 -1 5 tablet\n", "app secret 00ff SHA1 9 30 -1 5 tablet\n",
          "app secret 00ff SHA1 6 30 -1 5\n", "totp.name \n", "totp.name  a\n"})
        expect_corrupt(with_checksum(h + line));
    std::string eight = h;
    for (int i = 0; i < 7; ++i) eight += "app secret 00ff SHA1 6 30 -1 5 t" + std::to_string(i) + "\n";
    assert_true(parse_record(with_checksum(eight)).ok());
    expect_corrupt(with_checksum(eight + "app secret 00ff SHA1 6 30 -1 5 t8\n"));
}

void test_oversized_input_is_corrupt(void**) {
    std::string big = "chorus-user 1\n" + std::string(kMaxRecordBytes, 'x') + "\n";
    expect_corrupt(with_checksum(big));
}

// --- live slots -----------------------------------------------------------

LiveState live_with(std::uint32_t failures) {
    LiveState s;
    s.last_step = 56000000ULL + failures;
    s.failures = failures;
    s.first_failure_at = -1;
    s.locked_until = 1700000000;
    s.last_success_at = 42;
    s.last_failure_at = 43;
    return s;
}

void test_live_slot_round_trips(void**) {
    std::string b = encode_live_slot(live_with(7), 99);
    assert_int_equal(b.size(), kLiveSlotSize);
    auto s = decode_live_slot(b);
    assert_true(s.has_value());
    assert_int_equal(s->seq, 99);
    assert_int_equal(s->state.failures, 7);
    assert_true(s->state.last_step == 56000007ULL && s->state.first_failure_at == -1);
    assert_true(s->state.locked_until == 1700000000 && s->state.last_success_at == 42 &&
                s->state.last_failure_at == 43);
    for (std::size_t i = 0; i < b.size(); ++i) {
        std::string t = b;
        t[i] = static_cast<char>(t[i] ^ 0x10);
        assert_false(decode_live_slot(t).has_value());
    }
}

struct LiveFile {
    chorus_test::TempDir dir;
    int fd = -1;
    LiveFile() {
        std::string init = initial_live_file(LiveState{});
        chorus_test::write_file(dir.file("u.live"), init);
        fd = ::open(dir.file("u.live").c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) abort();
    }
    ~LiveFile() { ::close(fd); }
    std::string bytes() const {
        std::string b(kLiveFileSize, '\0');
        if (::pread(fd, b.data(), b.size(), 0) != static_cast<ssize_t>(b.size())) abort();
        return b;
    }
    void corrupt_slot(int i) const {
        char junk = 0x5a;
        if (::pwrite(fd, &junk, 1, i * static_cast<off_t>(kLiveSlotSize) + 20) != 1) abort();
    }
};

void test_live_writes_alternate_slots_and_newest_wins(void**) {
    LiveFile f;
    for (std::uint32_t i = 1; i <= 50; ++i) {
        assert_true(write_live_fd(f.fd, live_with(i)).ok());
        auto r = read_live_fd(f.fd);
        assert_true(r.ok());
        assert_int_equal(r->failures, i);
    }
    auto cur = pick_live_slot(f.bytes());
    assert_true(cur.ok());
    assert_int_equal(cur->slot.seq, 51);  // initial file is sequence 1
}

void test_corrupt_newest_slot_falls_back_to_older(void**) {
    LiveFile f;
    for (std::uint32_t i = 1; i <= 5; ++i) assert_true(write_live_fd(f.fd, live_with(i)).ok());
    auto cur = pick_live_slot(f.bytes());
    assert_true(cur.ok());
    f.corrupt_slot(cur->index);  // as if the last write was torn
    auto r = read_live_fd(f.fd);
    assert_true(r.ok());
    assert_int_equal(r->failures, 4);
    // The next write replaces the damaged slot, keeping the good one.
    assert_true(write_live_fd(f.fd, live_with(6)).ok());
    assert_int_equal(read_live_fd(f.fd)->failures, 6);
    assert_true(decode_live_slot(f.bytes().substr(0, kLiveSlotSize)).has_value());
    assert_true(decode_live_slot(f.bytes().substr(kLiveSlotSize)).has_value());
}

void test_both_slots_corrupt_is_corrupt_until_rewritten(void**) {
    LiveFile f;
    assert_true(write_live_fd(f.fd, live_with(3)).ok());
    f.corrupt_slot(0);
    f.corrupt_slot(1);
    auto r = read_live_fd(f.fd);
    assert_false(r.ok());
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::corrupt));
    // `chorusctl unlock` path: a fresh state is written over the damage.
    assert_true(write_live_fd(f.fd, LiveState{}).ok());
    auto again = read_live_fd(f.fd);
    assert_true(again.ok());
    assert_int_equal(again->failures, 0);
}

void test_wrong_size_live_file_is_corrupt(void**) {
    LiveFile f;
    assert_int_equal(::ftruncate(f.fd, 700), 0);
    assert_int_equal(static_cast<int>(read_live_fd(f.fd).code()), static_cast<int>(Errc::corrupt));
    assert_true(write_live_fd(f.fd, live_with(9)).ok());
    assert_int_equal(read_live_fd(f.fd)->failures, 9);
    assert_false(pick_live_slot(std::string(kLiveFileSize, '\0')).ok());
}

// validate_record() is what encode_record() (every store write) checks: a
// record with a TOTP key or reset state out of bounds is never written, so
// it can never come back as a usable record. Each bound's last good value
// is accepted and round-trips.
void test_out_of_range_totp_and_reset_fields_are_never_encoded(void**) {
    using Edit = std::function<void(UserRecord&)>;
    const auto key_of = [](std::size_t n) { return SecretBytes(n, 0x42); };
    const Edit refused[] = {
        [&](UserRecord& r) { r.totp->secret = key_of(0); },
        [&](UserRecord& r) { r.totp->secret = key_of(257); },
        [](UserRecord& r) { r.totp->params.algorithm = static_cast<HashAlgorithm>(3); },
        [](UserRecord& r) { r.totp->params.algorithm = static_cast<HashAlgorithm>(-1); },
        [](UserRecord& r) { r.totp->params.digits = 5; },
        [](UserRecord& r) { r.totp->params.digits = 9; },
        [](UserRecord& r) { r.totp->params.period = 0; },
        [](UserRecord& r) { r.totp->params.period = 86401; },
        [](UserRecord& r) { r.totp->window = -2; },
        [](UserRecord& r) { r.totp->window = 1001; },
        [](UserRecord& r) { r.reset->attempts = -1; },
        [](UserRecord& r) { r.reset->attempts = 1000001; },
        // Lists past their caps: a record that grew them is never written.
        [](UserRecord& r) { r.recovery.assign(101, HashedCode{"h"}); },
        [](UserRecord& r) { r.history.assign(101, "$argon2id$h"); },
        [](UserRecord& r) { r.reset->sends.assign(1001, 1700000000); },
    };
    for (std::size_t i = 0; i < sizeof refused / sizeof refused[0]; ++i) {
        UserRecord r = full_record();
        refused[i](r);
        if (validate_record(r).ok()) fail_msg("edit %zu: validated", i);
        assert_int_equal(static_cast<int>(validate_record(r).code()),
                         static_cast<int>(Errc::invalid_argument));
        assert_int_equal(static_cast<int>(encode_record(r).code()), static_cast<int>(Errc::invalid_argument));
    }
    const Edit accepted[] = {
        [&](UserRecord& r) { r.totp->secret = key_of(1); },
        [&](UserRecord& r) { r.totp->secret = key_of(256); },
        [](UserRecord& r) {
            r.totp->params = TotpParams{HashAlgorithm::sha1, 6, 1};
        },
        [](UserRecord& r) {
            r.totp->params = TotpParams{HashAlgorithm::sha256, 8, 86400};
        },
        [](UserRecord& r) { r.totp->window = -1; },
        [](UserRecord& r) { r.totp->window = 1000; },
        [](UserRecord& r) { r.reset->attempts = 0; },
        [](UserRecord& r) { r.reset->attempts = 1000000; },
    };
    for (std::size_t i = 0; i < sizeof accepted / sizeof accepted[0]; ++i) {
        UserRecord r = full_record();
        accepted[i](r);
        auto text = encode_record(r);
        if (!text.ok()) fail_msg("edit %zu: %s", i, text.error().message.c_str());
        auto back = parse_record(text->view());
        assert_true(back.ok());
        expect_same(r, *back);
    }
}

// The parser's own bounds: one past each limit is corrupt, never a record.
void test_out_of_range_totp_and_reset_values_are_corrupt(void**) {
    const std::string h = "chorus-user 1\ntotp.secret ";
    const std::string key256(512, 'a');
    for (const std::string& tail :
         {key256 + "aa\n", std::string("00\ntotp.digits 5\n"), std::string("00\ntotp.period 86401\n"),
          std::string("00\ntotp.period -30\n"), std::string("00\ntotp.window -2\n"),
          std::string("00\ntotp.window 1001\n"), std::string("00\ntotp.algorithm SHA3\n"),
          std::string("00\nreset.attempts 1000001\n")})
        expect_corrupt(with_checksum(h + tail));
    expect_corrupt(with_checksum("chorus-user 1\ntotp.sealed \n"));
    expect_corrupt(with_checksum("chorus-user 1\ntotp.digits 6\ntotp.period 30\n"));  // settings, no key
    auto r = parse_record(with_checksum(h + key256 + "\ntotp.window 1000\nreset.attempts 1000000\n"));
    assert_true(r.ok());
    assert_int_equal(r->totp->secret.size(), 256);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_record_round_trips),
        cmocka_unit_test(test_minimal_record_round_trips),
        cmocka_unit_test(test_control_characters_are_refused_on_encode),
        cmocka_unit_test(test_every_truncation_is_corrupt),
        cmocka_unit_test(test_every_bit_flip_is_corrupt),
        cmocka_unit_test(test_unknown_and_repeated_keys_are_corrupt),
        cmocka_unit_test(test_bad_values_are_corrupt),
        cmocka_unit_test(test_oversized_input_is_corrupt),
        cmocka_unit_test(test_version_is_the_lowest_that_holds_the_record),
        cmocka_unit_test(test_version_1_contacts_read_as_not_proven),
        cmocka_unit_test(test_version_2_rules),
        cmocka_unit_test(test_version_3_holds_several_apps),
        cmocka_unit_test(test_out_of_range_totp_and_reset_fields_are_never_encoded),
        cmocka_unit_test(test_out_of_range_totp_and_reset_values_are_corrupt),
        cmocka_unit_test(test_live_slot_round_trips),
        cmocka_unit_test(test_live_writes_alternate_slots_and_newest_wins),
        cmocka_unit_test(test_corrupt_newest_slot_falls_back_to_older),
        cmocka_unit_test(test_both_slots_corrupt_is_corrupt_until_rewritten),
        cmocka_unit_test(test_wrong_size_live_file_is_corrupt),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
