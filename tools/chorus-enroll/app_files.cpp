// SPDX-License-Identifier: BSD-2-Clause
// --app with --qr-svg/--qr-png, and --add-app: the registration walk-through
// done with the step-by-step enrollment API, because
// chorus_register_interactive() makes its key internally, never hands out
// the URI that the image needs, and replaces rather than adds. The texts
// follow the library's walk-through so both read the same.
#include <cstdio>
#include <string>

#include "chorus-enroll/enroll.hpp"
#include "chorus-enroll/image_writer.hpp"
#include "chorus-enroll/png.hpp"
#include "chorus-enroll/terminal.hpp"
#include "common/handles.hpp"
#include "common/secret.hpp"
#include "common/text.hpp"

namespace chorus_enroll {
namespace {

using chorus_tools::escape_text;

constexpr int kCodeAttempts = 5;

// Renders the image a writer wants and hands it over. On failure the
// writer is left unfinished, and its child removes the file.
bool write_image(const chorus_enrollment_t* e, ImageWriter& w) {
    const bool svg = w.kind() == ImageWriter::Kind::svg;
    chorus_tools::String art;
    int rc = chorus_qr_render(chorus_enrollment_uri(e), svg ? CHORUS_QR_SVG : CHORUS_QR_ASCII, art.out());
    if (rc != CHORUS_OK) return fail(nullptr, "drawing the QR code", rc), false;
    std::string png;
    if (!svg && !qr_ascii_to_png(art.get(), 8, 2, png))
        return complain(kExitFail, "encoding the PNG image failed"), false;
    const bool ok = w.finish(svg ? std::string_view(art.get()) : std::string_view(png));
    chorus_tools::wipe(png.data(), png.size());
    if (ok) std::printf("QR code written to %s\n", escape_text(w.path()).c_str());
    return ok;
}

int show_key(const Session& s, const chorus_enrollment_t* e, bool image) {
    std::printf("Set up two-step verification for %s.\n", escape_text(s.opts.user).c_str());
    std::printf(
        "Scan the QR code %s with your authenticator app (Google Authenticator,\n"
        "Microsoft Authenticator, FreeOTP, Aegis, ...).\n",
        image ? "in the image" : "below");
    // With an image the terminal draws it only when asked (--qr); without, unless --qr=none.
    if (image ? s.opts.qr_given && !s.opts.qr_none : !s.opts.qr_none) {
        chorus_tools::String art;
        if (chorus_qr_render(chorus_enrollment_uri(e), s.opts.qr, art.out()) == CHORUS_OK)
            std::fputs(art.get(), stdout);
    }
    std::printf("Or enter this key by hand: %s\n", chorus_enrollment_secret_display(e));
    std::printf("Key URI: %s\n", chorus_enrollment_uri(e));
    std::fflush(stdout);
    return kExitOk;
}

// Asks for codes until one matches, then saves the key with it.
int confirm_and_commit(const Session& s, chorus_enrollment_t* e) {
    const std::string prompt =
        "Enter the " + std::to_string(chorus_ctx_code_digits(s.ctx)) + "-digit code from your app: ";
    for (int attempt = 0; attempt < kCodeAttempts; ++attempt) {
        chorus_tools::SecretBuffer answer(64), code(64);
        if (!ask_line(prompt.c_str(), true, answer)) return complain(kExitFail, "registration abandoned");
        for (char c : answer.view())
            if (c != ' ') (void)code.append(c);
        if (chorus_enrollment_check(s.ctx, e, code.c_str()) != CHORUS_OK) {
            std::fprintf(stderr,
                         "That code does not match. Check the clock of your phone and try the next code.\n");
            continue;
        }
        const int rc = s.opts.add_app ? chorus_enrollment_add(s.ctx, e, code.c_str(), s.opts.app_name)
                                      : chorus_enrollment_commit(s.ctx, e, code.c_str());
        if (rc != CHORUS_OK) return fail(s.ctx, "saving the authenticator app", rc);
        std::printf("Your authenticator app is registered.\n");
        return kExitOk;
    }
    return complain(kExitFail, "registering the authenticator app: too many wrong codes; nothing was saved");
}

}  // namespace

int register_app_with_files(const Session& s, const Methods& m, std::vector<ImageWriter*>& writers) {
    chorus_tools::Enrollment e;
    int rc = chorus_enrollment_new(s.ctx, s.user(), nullptr, e.out());
    if (rc != CHORUS_OK) return fail(s.ctx, "preparing a key", rc);
    for (ImageWriter* w : writers)
        if (!write_image(e.get(), *w)) return kExitFail;
    (void)show_key(s, e.get(), !writers.empty());
    if (int r = confirm_and_commit(s, e.get()); r != kExitOk) return r;  // the writers remove the images
    if (s.opts.add_app)
        std::printf("You now have %d authenticator apps; a code from any of them works.\n", m.apps + 1);
    for (ImageWriter* w : writers)
        if (!w->keep()) return kExitFail;
    if (!m.has_method) offer_contacts(s);
    if (m.recovery_left == 0 && !s.opts.add_app) {  // adding an app leaves the rest as it is
        std::printf("\n");
        if (do_recovery_codes(s) != kExitOk) return kExitFail;
    }
    std::printf("Two-step verification is set up.\n");
    return kExitOk;
}

}  // namespace chorus_enroll
