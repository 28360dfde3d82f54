#include "outage/model/json_fields.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

namespace outage {

FieldReader::FieldReader(const nlohmann::json& object, std::string_view noun, std::int64_t id,
                         std::string_view detail)
    : m_object(object), m_noun(noun), m_id(id), m_detail(detail) {
    if (!object.is_object())
        fail("its fields are not a JSON object");
}

std::string FieldReader::record() const {
    return m_detail.empty() ? fmt::format("{} {}", m_noun, m_id)
                            : fmt::format("{} {} ({})", m_noun, m_id, m_detail);
}

void FieldReader::missing(std::string_view key) const {
    fail(fmt::format("field '{}' is missing", key));
}

void FieldReader::invalid(std::string_view key, std::string_view expected) const {
    fail(fmt::format("field '{}' is not {}", key, expected));
}

void FieldReader::fail(std::string_view problem) const {
    // Only an edit outside outage (or a bug) makes a stored row unreadable; verify tells which.
    throw Error(Exit::runtime, fmt::format("{}: {} (run `outage verify` to see whether the log "
                                           "was changed outside outage)",
                                           record(), problem));
}

const nlohmann::json* FieldReader::find(std::string_view key,
                                        bool (nlohmann::json::*is)() const noexcept,
                                        std::string_view expected) const {
    auto it = m_object.find(key);
    if (it == m_object.end() || it->is_null())
        return nullptr;
    if (!((*it).*is)())
        invalid(key, expected);
    return &*it;
}

std::optional<std::string> FieldReader::text(std::string_view key) const {
    const nlohmann::json* value = find(key, &nlohmann::json::is_string, "text");
    return value ? std::optional(value->get<std::string>()) : std::nullopt;
}

std::optional<std::int64_t> FieldReader::integer(std::string_view key) const {
    const nlohmann::json* value = find(key, &nlohmann::json::is_number_integer, "a whole number");
    return value ? std::optional(value->get<std::int64_t>()) : std::nullopt;
}

std::optional<bool> FieldReader::flag(std::string_view key) const {
    const nlohmann::json* value = find(key, &nlohmann::json::is_boolean, "true or false");
    return value ? std::optional(value->get<bool>()) : std::nullopt;
}

std::optional<Timestamp> FieldReader::time(std::string_view key) const {
    auto value = text(key);
    if (!value)
        return std::nullopt;
    auto at = parse_iso_utc(*value);
    if (!at)
        invalid(key, "an ISO 8601 time");
    return at;
}

std::optional<std::vector<std::string>> FieldReader::texts(std::string_view key) const {
    const nlohmann::json* value = find(key, &nlohmann::json::is_array, "a list of text");
    if (!value)
        return std::nullopt;
    std::vector<std::string> result;
    for (const auto& item : *value) {
        if (!item.is_string())
            invalid(key, "a list of text");
        result.push_back(item.get<std::string>());
    }
    return result;
}

std::optional<nlohmann::json> FieldReader::object(std::string_view key) const {
    const nlohmann::json* value = find(key, &nlohmann::json::is_object, "a JSON object");
    return value ? std::optional(*value) : std::nullopt;
}

} // namespace outage
