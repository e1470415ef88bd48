// SPDX-License-Identifier: BSD-2-Clause
#include "flows/method.hpp"

namespace chorus {
namespace {

struct MethodName {
    Method method;
    std::string_view name;
};
constexpr MethodName kMethods[] = {{Method::app, "app"},   {Method::sms, "sms"},     {Method::call, "call"},
                                   {Method::sms2, "sms2"}, {Method::call2, "call2"}, {Method::push, "push"}};

struct RegistrationName {
    Registration what;
    std::string_view name;
};
constexpr RegistrationName kRegistrations[] = {
    {Registration::app, "app"},     {Registration::phone, "phone"},       {Registration::phone2, "phone2"},
    {Registration::email, "email"}, {Registration::recovery, "recovery"}, {Registration::push, "push"}};

}  // namespace

std::optional<Method> parse_method(std::string_view name) {
    for (const auto& m : kMethods)
        if (m.name == name) return m.method;
    return std::nullopt;
}

std::string_view method_name(Method m) {
    for (const auto& n : kMethods)
        if (n.method == m) return n.name;
    return "";
}

std::optional<Registration> parse_registration(std::string_view name) {
    for (const auto& r : kRegistrations)
        if (r.name == name) return r.what;
    return std::nullopt;
}

std::optional<Channel> channel_of(Method m) {
    switch (m) {
    case Method::sms:
    case Method::sms2:
        return Channel::sms;
    case Method::call:
    case Method::call2:
        return Channel::voice;
    case Method::app:
    case Method::push:
        break;
    }
    return std::nullopt;
}

std::optional<PhoneSlot> phone_slot_of(Method m) {
    switch (m) {
    case Method::sms:
    case Method::call:
        return PhoneSlot::primary;
    case Method::sms2:
    case Method::call2:
        return PhoneSlot::alternate;
    case Method::app:
    case Method::push:
        break;
    }
    return std::nullopt;
}

std::string_view other_method_word(const EnrollmentConfig& cfg, Method m) {
    std::size_t i = 0;
    while (i < std::size(kSendingMethods) && kSendingMethods[i] != m) ++i;
    return i < cfg.other_method_words.size() ? std::string_view(cfg.other_method_words[i])
                                             : std::string_view();
}

}  // namespace chorus
