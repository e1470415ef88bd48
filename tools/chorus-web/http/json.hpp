// SPDX-License-Identifier: BSD-2-Clause
// A JSON writer for the API's answers: objects of strings, booleans, numbers
// and lists, every string escaped so that nothing a user typed (or the
// library said) can end the string or open a tag in an HTML context.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chorus_web {

std::string json_string(std::string_view s);

class Json {
public:
    Json& str(std::string_view key, std::string_view value);
    Json& boolean(std::string_view key, bool value);
    Json& number(std::string_view key, long long value);
    Json& raw(std::string_view key, std::string_view json);  // an already encoded value
    Json& strings(std::string_view key, const std::vector<std::string>& values);
    [[nodiscard]] std::string text() const { return "{" + body_ + "}"; }

private:
    void key(std::string_view k);
    std::string body_;
};

}  // namespace chorus_web
