// SPDX-License-Identifier: BSD-2-Clause
// Per-user state and the Store interface. Flows see only this header; file
// formats (store/file_*) and SQL (the PostgreSQL plugin) stay behind it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otp/hotp.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

struct TotpKey {
    SecretBytes secret;  // raw key bytes
    TotpParams params;
    int window = -1;  // per-user window (e.g. imported); -1 = use config
    // Store-internal: secret holds nonce||ciphertext||tag (util/seal.hpp).
    // Flows never see a sealed key: the store opens it on read.
    bool sealed = false;
};

// A single-use code kept only as a salted hash (see flows/codes).
struct HashedCode {
    std::string hash;
};

struct PendingReset {
    std::string code_hash;  // salted hash of the emailed 6-digit code
    std::string reset_id;   // random id binding the code to one reset
    std::int64_t expires_at = 0;
    std::int64_t last_sent_at = 0;
    int attempts = 0;                 // wrong codes entered for this reset
    std::vector<std::int64_t> sends;  // send times within the last day (throttling)
    std::int64_t locked_until = 0;    // reset refused until then after too many wrong codes
};

inline constexpr std::size_t kMaxApps = 8;           // authenticator apps per user
inline constexpr std::size_t kMaxAppNameBytes = 64;  // "work phone"

// An authenticator app after the first: its own key, name and replay state.
struct AppKey {
    std::string name;
    TotpKey key;
    std::uint64_t last_step = 0;  // highest step accepted with this key
};

inline constexpr std::size_t kMaxPushDevices = 1;    // one phone for push per user (docs/PUSH.md)
inline constexpr std::size_t kMaxPushRequests = 16;  // requests kept per user (fatigue window)

// A phone registered for push approval (docs/PUSH.md): the serial the app
// knows it by and the public key it made. Every answer must verify with it.
struct PushDevice {
    std::string serial;
    std::string app_key;  // base64 DER SubjectPublicKeyInfo, RSA
    std::int64_t enrolled_at = 0;
};

// A push QR code shown and not yet a device. The app registers its key with
// the one-time credential; the phone becomes a device only after it approves
// a test request.
struct PushEnrollment {
    std::string serial;
    std::string credential_hash;  // SHA-256 hex of the credential in the QR code
    std::int64_t expires_at = 0;
    std::string app_key;  // empty until the app registered
};

// One sign-in (or test, or reset) waiting for the phone. Its state moves
// once from "open" to accepted, declined or wrong; an accepted request
// becomes "used" when the waiting side takes it, so it lets one login in.
struct PushRequest {
    std::string nonce;  // 32 base32 characters, the request's identity
    std::string serial;
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    std::string state = "open";  // open | accepted | declined | wrong | used | cancelled
    std::string options;         // the numbers on the phone, "47,12,90"
    std::string answer;          // the one shown at the login
    std::string host;            // the host that waits
    std::string rhost;           // the client it waits for; "-" when none
};

// The record that changes rarely: written by atomic replace.
struct UserRecord {
    // The first authenticator app. Its replay state is LiveState::last_step,
    // written in place on every login.
    std::optional<TotpKey> totp;
    std::string totp_name;  // its name; "" when never named
    // Further apps (at most kMaxApps - 1, only with a first one). Each keeps
    // its replay state here, so a login with one rewrites the record.
    std::vector<AppKey> more_apps;
    std::vector<HashedCode> recovery;  // unused recovery codes
    std::string phone;                 // E.164, empty if none
    std::string email;                 // empty if none
    std::string phone2;                // the alternate phone, E.164, empty if none
    // When the user proved each contact (a code typed back, a call answered
    // with #); 0: not proven, and then never used to send a code or call.
    std::int64_t phone_proven_at = 0;
    std::int64_t email_proven_at = 0;
    std::int64_t phone2_proven_at = 0;
    std::string default_method = "app";  // app | sms | call | sms2 | call2 | push
    std::vector<std::string> history;    // argon2id encoded strings, newest first
    std::optional<PendingReset> reset;
    std::int64_t first_seen = 0;  // first login seen without registration (grace)
    std::int64_t enrolled_at = 0;
    std::vector<PushDevice> push_devices;
    std::optional<PushEnrollment> push_pending;
    std::vector<PushRequest> push_requests;

    bool has_method() const { return totp.has_value() || !recovery.empty() || !push_devices.empty(); }
    std::size_t app_count() const { return (totp ? 1 : 0) + more_apps.size(); }
};

// The record that changes on every login: last accepted step, failures.
// The file store writes it in place (two checksummed slots).
struct LiveState {
    std::uint64_t last_step = 0;  // highest accepted TOTP step; 0 = none yet
    std::uint32_t failures = 0;   // consecutive failed codes
    std::int64_t first_failure_at = 0;
    std::int64_t locked_until = 0;
    std::int64_t last_success_at = 0;
    std::int64_t last_failure_at = 0;
};

// An exclusive hold on one user's state, released on destruction. Everything
// read through it is read under the lock; writes are durable on return.
class UserTxn {
public:
    virtual ~UserTxn() = default;
    // The record, or nullopt if the user has none.
    virtual Result<std::optional<UserRecord>> record() = 0;
    virtual Result<LiveState> live() = 0;                  // zero state if none yet
    virtual Status put_record(const UserRecord& rec) = 0;  // atomic replace, durable
    virtual Status put_live(const LiveState& live) = 0;    // durable
    // Both, as one write where the store can (a spent recovery code and the
    // login it let in): never the record without the live state.
    virtual Status put_both(const UserRecord& rec, const LiveState& live);
    virtual Status erase() = 0;  // remove record and live state
};

class Store {
public:
    virtual ~Store() = default;
    // Locks the user's state. For a user with no state at all, returns a
    // transaction whose record() is nullopt and live() zero, and which creates
    // nothing on disk unless something is put. Its first put_*() takes the
    // lock then; if another process created the user's state in between, that
    // put fails with Errc::conflict (nothing written): begin again and re-read.
    // A shared store may hold nothing between begin() and a put (the fleet
    // store: every put is a compare-and-set on what begin() read), so any put
    // may answer Errc::conflict; flows that write begin again (flows/retry.hpp).
    // A live state that fails its checksums is Errc::corrupt from live():
    // callers deny, and `chorusctl unlock` (put_live) rewrites it.
    virtual Result<std::unique_ptr<UserTxn>> begin(std::string_view user) = 0;
    // Every user that has a record, sorted.
    virtual Result<std::vector<std::string>> list_users() = 0;
    // The user's record (nullopt: none) read as a snapshot without holding
    // the user's state: what a login asks before its prompt (is there a
    // method, which is the default). Whatever it says, the check of the code
    // that follows reads again under begin(). A TOTP key in it may still be
    // sealed: it is not for checking codes. The default takes a turn through
    // begin().
    virtual Result<std::optional<UserRecord>> peek_record(std::string_view user);
    // Whether that record holds a usable method (UserRecord::has_method).
    Result<bool> has_method(std::string_view user);
    // The disk work of one live-state write, touching no user's state: a
    // wrong code for an unknown account then costs what it costs for a real
    // one (whose failure is written), so timing does not tell them apart.
    virtual Status spend_like_a_write() { return {}; }
    // Seconds to add to this host's clock to get the store's: a shared store
    // keeps one time for the fleet (docs/FLEET.md, "Clock"). 0 for a local store.
    virtual std::int64_t clock_offset() const { return 0; }
};

struct FileStoreOptions {
    std::string dir;
    // Tests run as root too, but can point this at a directory they made;
    // the owner check compares with this uid.
    unsigned owner_uid = 0;
    int lock_timeout_ms = 10000;  // waiting longer than this gives Errc::busy
    // AES-256-GCM key for TOTP keys at rest; empty: stored as plain hex.
    // With a key, records are sealed on their next write.
    SecretBytes seal_key;
};

// Opens (and, if missing, creates 0700) the state directory after checking it
// is a real directory owned by owner_uid and not group/world accessible.
Result<std::unique_ptr<Store>> open_file_store(const FileStoreOptions& opts);

// Usernames: what may become a file name. Rejects (Errc::bad_username) empty,
// over 256 bytes, control characters, '/', whitespace, ':', leading '-', "."
// and "..", and names whose encoding exceeds 240 bytes (file names are capped
// at 255 and we append ".rec.tmp"). Returns the encoded file-name stem
// (bijective; '%XX', upper-case hex, for anything outside [A-Za-z0-9_.-] and
// for a leading '.').
Result<std::string> encode_username(std::string_view user);
// The inverse; refuses any stem encode_username() would not produce (lower-case
// or needless escapes), so each user has exactly one file name.
Result<std::string> decode_username(std::string_view stem);

}  // namespace chorus
