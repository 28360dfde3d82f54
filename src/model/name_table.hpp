#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace outage {

// A model enumeration's stored names: one table per enumeration, read both ways.
template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

template <typename Enum, std::size_t N>
std::optional<Enum> lookup(const NameTable<Enum, N>& names, std::string_view text) {
    for (const auto& [value, name] : names)
        if (name == text)
            return value;
    return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view name_of(const NameTable<Enum, N>& names, Enum value) {
    for (const auto& [candidate, name] : names)
        if (candidate == value)
            return name;
    return "?";
}

} // namespace outage
