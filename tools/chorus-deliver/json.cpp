// SPDX-License-Identifier: BSD-2-Clause
#include "json.hpp"

#include <cstdio>

namespace chorus_deliver {
namespace {

class Parser {
public:
    explicit Parser(std::string_view t) : t_(t) {}

    std::optional<std::map<std::string, std::string>> object_members() {
        std::map<std::string, std::string> out;
        ws();
        if (!eat('{')) return std::nullopt;
        ws();
        if (eat('}')) return finish(std::move(out));
        for (;;) {
            std::string key, value;
            ws();
            if (!string(key)) return std::nullopt;
            ws();
            if (!eat(':')) return std::nullopt;
            ws();
            if (peek() == '"') {
                if (!string(value)) return std::nullopt;
                out[key] = value;
            } else if (!skip_value(1)) {
                return std::nullopt;
            }
            ws();
            if (eat('}')) return finish(std::move(out));
            if (!eat(',')) return std::nullopt;
        }
    }

private:
    std::optional<std::map<std::string, std::string>> finish(std::map<std::string, std::string> m) {
        ws();
        if (i_ != t_.size()) return std::nullopt;
        return m;
    }
    char peek() const { return i_ < t_.size() ? t_[i_] : '\0'; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++i_;
        return true;
    }
    void ws() {
        while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
    }
    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    static void put_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }
    // Surrogate pairs are kept as two 3-byte sequences: the values we read
    // (call_id, status) are ASCII, and anything odd fails their checks.
    bool string(std::string& out) {
        if (!eat('"')) return false;
        while (i_ < t_.size()) {
            char c = t_[i_++];
            if (c == '"') return true;
            if (static_cast<unsigned char>(c) < 0x20) return false;
            if (c != '\\') {
                out += c;
                continue;
            }
            char e = peek();
            ++i_;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out += e;
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                if (i_ + 4 > t_.size()) return false;
                unsigned cp = 0;
                for (int k = 0; k < 4; ++k) {
                    int h = hex(t_[i_++]);
                    if (h < 0) return false;
                    cp = cp * 16 + static_cast<unsigned>(h);
                }
                put_utf8(out, cp);
                break;
            }
            default:
                return false;
            }
        }
        return false;
    }
    bool literal(std::string_view word) {
        if (t_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        return true;
    }
    bool number() {
        std::size_t start = i_;
        while (i_ < t_.size() && std::string_view("+-0123456789.eE").find(t_[i_]) != std::string_view::npos)
            ++i_;
        return i_ > start;
    }
    bool skip_value(int depth) {
        if (depth > 16) return false;
        std::string scratch;
        switch (peek()) {
        case '"':
            return string(scratch);
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        case '{':
        case '[': {
            const char close = peek() == '{' ? '}' : ']';
            const bool is_object = close == '}';
            ++i_;
            ws();
            if (eat(close)) return true;
            for (;;) {
                ws();
                if (is_object) {
                    if (!string(scratch)) return false;
                    ws();
                    if (!eat(':')) return false;
                    ws();
                }
                if (!skip_value(depth + 1)) return false;
                ws();
                if (eat(close)) return true;
                if (!eat(',')) return false;
            }
        }
        default:
            return number();
        }
    }

    std::string_view t_;
    std::size_t i_ = 0;
};

}  // namespace

void json_append_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
}

std::optional<std::map<std::string, std::string>> json_string_members(std::string_view text) {
    return Parser(text).object_members();
}

}  // namespace chorus_deliver
