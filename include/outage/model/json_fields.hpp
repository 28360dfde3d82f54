#pragma once

#include "outage/model/time.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// Reads the fields of a JSON object the log keeps: an event's payload, the values a notice was
// sent with. A row changed outside outage can hold anything, so a field of the wrong type is an
// Error(runtime) naming the record and the field, never nlohmann's own message
// (docs/architecture.md#events-the-one-vocabulary).
class FieldReader {
  public:
    // `noun`, `id` and `detail` name the record in errors: "event 12 (handoff)", or without a
    // detail "notice 5". Throws Error(runtime) when `object` is not a JSON object. `object`
    // must outlive the reader.
    FieldReader(const nlohmann::json& object, std::string_view noun, std::int64_t id,
                std::string_view detail = {});

    // Each returns nothing when the field is absent or null and throws Error(runtime) when it
    // holds something else than asked for.
    std::optional<std::string> text(std::string_view key) const;
    std::optional<std::int64_t> integer(std::string_view key) const;
    std::optional<bool> flag(std::string_view key) const;
    std::optional<Timestamp> time(std::string_view key) const; // ISO 8601 text
    std::optional<std::vector<std::string>> texts(std::string_view key) const;
    std::optional<nlohmann::json> object(std::string_view key) const;

    // Throws Error(runtime): the field is absent and may not be.
    [[noreturn]] void missing(std::string_view key) const;
    // Throws Error(runtime): the field is not `expected` ("text", "a whole number", ...).
    [[noreturn]] void invalid(std::string_view key, std::string_view expected) const;
    // "event 12 (handoff)": the record as errors name it.
    std::string record() const;

  private:
    [[noreturn]] void fail(std::string_view problem) const;
    // The field when present and not null; Error(runtime) when `is` says it is not `expected`.
    const nlohmann::json* find(std::string_view key, bool (nlohmann::json::*is)() const noexcept,
                               std::string_view expected) const;

    const nlohmann::json& m_object;
    std::string_view m_noun;
    std::int64_t m_id;
    std::string_view m_detail;
};

} // namespace outage
