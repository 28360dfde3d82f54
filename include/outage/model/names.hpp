#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace outage {

// The one table of an enum's names: what the log stores, what JSON and the command line
// show, and what the CLI's option checks accept all come from it. The schema's CHECK lists
// are frozen in their migration; a unit test compares them with these tables, so a new value
// cannot reach the log without a migration (docs/architecture.md#one-table-per-enum).
template <typename Enum, std::size_t N> struct NameTable {
    std::array<std::pair<Enum, std::string_view>, N> entries;

    constexpr std::string_view name(Enum value) const {
        for (const auto& [candidate, text] : entries)
            if (candidate == value)
                return text;
        return "?";
    }

    // Nothing for a name outside the table.
    constexpr std::optional<Enum> parse(std::string_view text) const {
        for (const auto& [value, candidate] : entries)
            if (candidate == text)
                return value;
        return std::nullopt;
    }

    // Every name in table order, as CLI::IsMember takes them.
    std::vector<std::string> names() const {
        std::vector<std::string> result;
        for (const auto& entry : entries)
            result.emplace_back(entry.second);
        return result;
    }

    // "a, b, c", for a message listing what is allowed.
    std::string joined() const {
        std::string result;
        for (const auto& entry : entries)
            result.append(result.empty() ? "" : ", ").append(entry.second);
        return result;
    }

    // "a, b or c", for a message saying what is allowed.
    std::string alternatives() const {
        std::string result;
        for (std::size_t i = 0; i < N; ++i)
            result.append(i == 0 ? "" : i + 1 == N ? " or " : ", ").append(entries[i].second);
        return result;
    }

    // "'a', 'b', 'c'": the names as an SQL list, to compare with a CHECK constraint.
    std::string sql_list() const {
        std::string result;
        for (const auto& entry : entries) {
            if (!result.empty())
                result += ", ";
            result.append("'").append(entry.second).append("'");
        }
        return result;
    }
};

template <typename Enum, typename... Names>
NameTable(std::pair<Enum, Names>...) -> NameTable<Enum, sizeof...(Names)>;

} // namespace outage
