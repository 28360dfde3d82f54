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

const nlohmann::json* FieldReader::find(std::string_view key) const {
    auto it = m_object.find(key);
    return it == m_object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> FieldReader::text(std::string_view key) const {
    const nlohmann::json* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_string())
        invalid(key, "text");
    return value->get<std::string>();
}

std::optional<std::int64_t> FieldReader::integer(std::string_view key) const {
    const nlohmann::json* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_number_integer())
        invalid(key, "a whole number");
    return value->get<std::int64_t>();
}

std::optional<bool> FieldReader::flag(std::string_view key) const {
    const nlohmann::json* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_boolean())
        invalid(key, "true or false");
    return value->get<bool>();
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
    const nlohmann::json* value = find(key);
    if (!value)
        return std::nullopt;
    std::vector<std::string> result;
    if (value->is_array())
        for (const auto& item : *value) {
            if (!item.is_string())
                break;
            result.push_back(item.get<std::string>());
        }
    if (!value->is_array() || result.size() != value->size())
        invalid(key, "a list of text");
    return result;
}

std::optional<nlohmann::json> FieldReader::object(std::string_view key) const {
    const nlohmann::json* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_object())
        invalid(key, "a JSON object");
    return *value;
}

} // namespace outage
