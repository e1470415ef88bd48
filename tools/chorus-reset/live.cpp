// SPDX-License-Identifier: BSD-2-Clause
// The new password, typed twice, with the checklist of the password rules
// updated on every keystroke: the terminal is put in raw mode (no echo, no
// line editing, no signals from keys), each chunk of keystrokes edits a wiped
// buffer, the library re-evaluates every rule (CHORUS_PW_RESET) and the list
// is redrawn in place. Enter is accepted only when every rule is met (then
// when both entries match); otherwise it beeps. Ctrl-C cancels.
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "chorus-reset/reset.hpp"
#include "common/handles.hpp"
#include "common/text.hpp"

namespace reset_tool {
namespace {

using chorus_tools::SecretBuffer;

constexpr const char* kNewHeader = "New password (typing is not shown; the list below follows it):";
constexpr const char* kConfirmHeader = "Confirm new password (Enter on an empty entry starts over):";

// Raw mode for as long as it lives.
class RawMode {
public:
    RawMode() {
        if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        struct termios t = saved_;
        t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL | ICANON | ISIG | IEXTEN);
        t.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL | INLCR | ISTRIP);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        on_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
    }
    ~RawMode() {
        if (on_) (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    [[nodiscard]] bool on() const { return on_; }

private:
    struct termios saved_ {};
    bool on_ = false;
};

// Keystrokes, a chunk at a time; bytes after an accepted Enter stay for the
// next entry (typing ahead works).
class Keys {
public:
    ~Keys() { chorus_tools::wipe(buf_, sizeof buf_); }
    // Next byte, reading more only when none is pending. -1 on end or error.
    int next() {
        if (pos_ >= len_) {
            ssize_t n = 0;
            do n = ::read(STDIN_FILENO, buf_, sizeof buf_);
            while (n < 0 && errno == EINTR);
            if (n <= 0) return -1;
            chorus_tools::wipe(buf_ + n, sizeof buf_ - static_cast<size_t>(n));
            len_ = static_cast<size_t>(n);
            pos_ = 0;
        }
        return static_cast<unsigned char>(buf_[pos_++]);
    }
    [[nodiscard]] bool pending() const { return pos_ < len_; }

private:
    char buf_[64] = {};
    size_t len_ = 0, pos_ = 0;
};

// Removes the last UTF-8 character (a lead byte and its continuation bytes).
void pop_char(SecretBuffer& b) {
    while (!b.empty() && (static_cast<unsigned char>(b.c_str()[b.size() - 1]) & 0xc0U) == 0x80U) b.pop_back();
    b.pop_back();
}

bool same(const SecretBuffer& a, const SecretBuffer& b) {
    return a.size() == b.size() && std::memcmp(a.c_str(), b.c_str(), a.size()) == 0;
}

// What the editor needs from an entry: redraw after changes, and whether
// Enter may submit.
struct Page {
    const Io& io;
    int lines = 0;  // lines of the list last drawn
    void erase() {
        if (io.cursor && lines > 0) std::printf("\033[%dA\r\033[J", lines);
        lines = 0;
    }
};

enum class Edit { submit, cancel, restart };

// Edits buf from keystrokes. redraw() is called after each chunk that
// changed buf; may_submit() decides whether Enter is accepted.
template <typename Redraw, typename MaySubmit>
Edit edit(Keys& keys, SecretBuffer& buf, Redraw redraw, MaySubmit may_submit, bool empty_restarts) {
    int esc = 0;  // 1: after ESC, 2: inside an escape sequence (arrow keys...)
    bool dirty = false;
    for (;;) {
        const int c = keys.next();
        if (c < 0 || c == 0x03) return Edit::cancel;  // hang-up, Ctrl-C
        if (esc == 1) {
            esc = (c == '[' || c == 'O') ? 2 : 0;
        } else if (esc == 2) {
            if (c >= 0x40 && c <= 0x7e) esc = 0;
        } else if (c == 0x1b) {
            esc = 1;
        } else if (c == '\r' || c == '\n') {
            if (dirty) redraw();
            dirty = false;
            if (buf.empty() && empty_restarts) return Edit::restart;
            if (may_submit()) return Edit::submit;
            std::fputc('\a', stdout);
        } else if (c == 0x7f || c == 0x08) {
            pop_char(buf);
            dirty = true;
        } else if (c == 0x15) {  // Ctrl-U
            buf.clear();
            dirty = true;
        } else if (c >= 0x20) {
            if (!buf.append(static_cast<char>(c))) std::fputc('\a', stdout);
            dirty = true;
        }  // other control characters are ignored
        if (dirty && !keys.pending()) {
            redraw();
            dirty = false;
        }
        std::fflush(stdout);
    }
}

// The checklist for pw, or an empty handle when the library failed.
bool evaluate(chorus_ctx_t* ctx, const char* user, const char* gecos, const SecretBuffer& pw,
              chorus_tools::Checklist& out) {
    return chorus_password_check(ctx, user, gecos, pw.c_str(), CHORUS_PW_RESET, out.out()) == CHORUS_OK;
}

void draw_match(const Io& io, bool match) {
    if (io.ascii)
        std::printf("  [%c] Passwords match\n", match ? 'x' : ' ');
    else
        std::printf("  %s Passwords match\033[0m\n", match ? "\033[32m\u2714\033[0m" : "\033[90m\u2718");
}

Entry live_entry(const Io& io, chorus_ctx_t* ctx, const char* user, const char* gecos, SecretBuffer& out) {
    RawMode raw;
    if (!raw.on()) {
        say("The terminal cannot be switched to password entry.");
        return Entry::failed;
    }
    Keys keys;
    SecretBuffer confirm(kMaxPassword);
    for (;;) {
        out.clear();
        confirm.clear();
        say(kNewHeader);
        Page page{io};
        bool ok = false, broken = false;
        auto redraw_new = [&] {
            chorus_tools::Checklist cl;
            page.erase();
            if (!evaluate(ctx, user, gecos, out, cl)) {
                broken = true;
                return;
            }
            ok = chorus_checklist_ok(cl.get()) != 0;
            page.lines = draw_checklist(io, cl.get(), -1);
        };
        redraw_new();
        std::fflush(stdout);
        if (broken) return Entry::failed;
        Edit e = edit(
            keys, out, redraw_new, [&] { return ok && !broken; }, false);
        if (broken) return Entry::failed;
        if (e == Edit::cancel) return Entry::cancelled;

        say(kConfirmHeader);
        Page page2{io};
        auto redraw_confirm = [&] {
            page2.erase();
            draw_match(io, same(out, confirm));
            page2.lines = 1;
        };
        redraw_confirm();
        std::fflush(stdout);
        e = edit(
            keys, confirm, redraw_confirm, [&] { return same(out, confirm); }, true);
        if (e == Edit::cancel) return Entry::cancelled;
        if (e == Edit::submit) return Entry::ok;
    }
}

Entry batch_entry(const Io& io, chorus_ctx_t* ctx, const char* user, const char* gecos, SecretBuffer& out) {
    SecretBuffer confirm(kMaxPassword);
    for (;;) {
        if (!ask(io, "New password: ", false, out)) return Entry::cancelled;
        chorus_tools::Checklist cl;
        if (!evaluate(ctx, user, gecos, out, cl)) return Entry::failed;
        (void)draw_checklist(io, cl.get(), -1);
        if (chorus_checklist_ok(cl.get()) == 0) {
            say("The new password does not meet every rule. Try another one.");
            continue;
        }
        if (!ask(io, "Confirm new password: ", false, confirm)) return Entry::cancelled;
        const bool match = same(out, confirm);
        draw_match(io, match);
        flush_out();
        if (match) return Entry::ok;
        say("The passwords do not match. Start again.");
    }
}

}  // namespace

int draw_checklist(const Io& io, const chorus_checklist_t* cl, int match) {
    int lines = 0;
    const size_t n = chorus_checklist_count(cl);
    for (size_t i = 0; i < n; ++i, ++lines) {
        const bool met = chorus_checklist_rule_met(cl, i) != 0;
        const std::string text = chorus_tools::escape_text(chorus_checklist_rule_text(cl, i));
        if (io.ascii)
            std::printf("  [%c] %s\n", met ? 'x' : ' ', text.c_str());
        else if (met)
            std::printf("  \033[32m\u2714\033[0m %s\n", text.c_str());
        else
            std::printf("  \033[90m\u2718 %s\033[0m\n", text.c_str());
    }
    if (match >= 0) {
        draw_match(io, match != 0);
        ++lines;
    }
    return lines;
}

Entry read_new_password(const Io& io, chorus_ctx_t* ctx, const char* user, const char* gecos,
                        SecretBuffer& out) {
    const Entry e = io.batch ? batch_entry(io, ctx, user, gecos, out) : live_entry(io, ctx, user, gecos, out);
    if (e != Entry::ok) out.clear();
    return e;
}

}  // namespace reset_tool
