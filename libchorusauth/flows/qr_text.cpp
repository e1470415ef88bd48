// SPDX-License-Identifier: BSD-2-Clause
#include "flows/qr_text.hpp"

#include <qrencode.h>

#include <memory>

#include "util/lazy_library.hpp"

namespace chorus {
namespace {

// libqrencode, loaded by the first registration (util/lazy_library.hpp).
struct QrApi {
    decltype(&QRcode_encodeData) encode = nullptr;
    decltype(&QRcode_free) free = nullptr;
};

Result<QrApi> qr_api() {
    LazyLibrary& lib = qrencode_library();
    QrApi api;
    CHORUS_ASSIGN_OR_RETURN(api.encode, lib.function<decltype(QRcode_encodeData)>("QRcode_encodeData"));
    CHORUS_ASSIGN_OR_RETURN(api.free, lib.function<decltype(QRcode_free)>("QRcode_free"));
    return api;
}

struct QrFree {
    decltype(&QRcode_free) release = nullptr;
    void operator()(QRcode* q) const {
        if (q != nullptr) {
            secure_wipe(q->data, static_cast<std::size_t>(q->width) * static_cast<std::size_t>(q->width));
            release(q);
        }
    }
};
using QrPtr = std::unique_ptr<QRcode, QrFree>;

constexpr int kQuiet = 2;  // modules of light border; phones cope with 2 and it saves rows

class Modules {
public:
    explicit Modules(const QRcode& q) : q_(q) {}
    int size() const { return q_.width + 2 * kQuiet; }
    bool dark(int x, int y) const {
        x -= kQuiet;
        y -= kQuiet;
        if (x < 0 || y < 0 || x >= q_.width || y >= q_.width) return false;
        return (q_.data[y * q_.width + x] & 1) != 0;
    }

private:
    const QRcode& q_;
};

void draw_half_blocks(const Modules& m, std::string& out) {
    for (int y = 0; y < m.size(); y += 2) {
        for (int x = 0; x < m.size(); ++x) {
            bool top_light = !m.dark(x, y);
            bool bottom_light = y + 1 < m.size() ? !m.dark(x, y + 1) : false;
            if (top_light && bottom_light)
                out += "\u2588";
            else if (top_light)
                out += "\u2580";
            else if (bottom_light)
                out += "\u2584";
            else
                out += ' ';
        }
        out += '\n';
    }
}

void draw_cells(const Modules& m, std::string& out, const char* dark, const char* light, const char* eol) {
    for (int y = 0; y < m.size(); ++y) {
        for (int x = 0; x < m.size(); ++x) out += m.dark(x, y) ? dark : light;
        out += eol;
    }
}

void draw_svg(const Modules& m, std::string& out) {
    const std::string n = std::to_string(m.size());
    out +=
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 "
        "0 " +
        n + " " + n + "\" width=\"" + std::to_string(m.size() * 8) + "\" height=\"" +
        std::to_string(m.size() * 8) +
        "\" shape-rendering=\"crispEdges\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n<path "
        "fill=\"#000\" d=\"";
    for (int y = 0; y < m.size(); ++y)
        for (int x = 0; x < m.size(); ++x)
            if (m.dark(x, y)) out += "M" + std::to_string(x) + " " + std::to_string(y) + "h1v1h-1z";
    out += "\"/>\n</svg>\n";
}

}  // namespace

Result<SecretString> render_qr(std::string_view data, QrStyle style) {
    CHORUS_ASSIGN_OR_RETURN(const QrApi qr, qr_api());
    std::string input(data);
    QrPtr q(qr.encode(static_cast<int>(input.size()), reinterpret_cast<const unsigned char*>(input.data()), 0,
                      QR_ECLEVEL_L),
            QrFree{qr.free});
    secure_wipe(input.data(), input.size());
    if (!q) return make_error(Errc::invalid_argument, "text too long for a QR code");
    Modules m(*q);
    std::string buf;
    buf.reserve(static_cast<std::size_t>(m.size()) * static_cast<std::size_t>(m.size()) * 12);
    switch (style) {
    case QrStyle::utf8:
        draw_half_blocks(m, buf);
        break;
    case QrStyle::ansi:
        draw_cells(m, buf, "\x1b[40m  ", "\x1b[47m  ", "\x1b[0m\n");
        break;
    case QrStyle::ascii:
        draw_cells(m, buf, "  ", "##", "\n");
        break;
    case QrStyle::svg:
        draw_svg(m, buf);
        break;
    }
    SecretString result(buf);
    secure_wipe(buf.data(), buf.size());
    return result;
}

}  // namespace chorus
