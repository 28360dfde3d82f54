#include "outage/render/render.hpp"

#include "outage/core/error.hpp"
#include "outage/render/fields.hpp"

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

namespace outage {
namespace {

namespace mustache = kainjow::mustache;
using nlohmann::json;

mustache::data to_data(const json& value) {
    switch (value.type()) {
    case json::value_t::object: {
        mustache::data object{mustache::data::type::object};
        for (const auto& [key, item] : value.items())
            object.set(key, to_data(item));
        return object;
    }
    case json::value_t::array: {
        mustache::data list{mustache::data::type::list};
        for (const auto& item : value)
            list.push_back(to_data(item));
        return list;
    }
    case json::value_t::string: {
        // An empty string is false in a section, as people expect of "no value".
        const auto& text = value.get_ref<const std::string&>();
        return text.empty() ? mustache::data{false} : mustache::data{text};
    }
    case json::value_t::boolean:
        return mustache::data{value.get<bool>()};
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return mustache::data{value.dump()};
    default:
        return mustache::data{false};
    }
}

bool has_value(const json& fields, const std::string& name) {
    const json* value = &fields;
    size_t start = 0;
    while (true) {
        size_t dot = name.find('.', start);
        std::string key = name.substr(start, dot == std::string::npos ? dot : dot - start);
        if (!value->is_object() || !value->contains(key))
            return false;
        value = &(*value)[key];
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    if (value->is_null())
        return false;
    if (value->is_string()) // nlohmann counts a string as one value, even when empty
        return !value->get_ref<const std::string&>().empty();
    if (value->is_array())
        return !value->empty();
    return true;
}

std::string fill(const std::string& text, const mustache::data& data, Escaping escaping) {
    mustache::mustache tmpl{text};
    if (escaping == Escaping::plain_text)
        tmpl.set_custom_escape([](const std::string& s) { return s; });
    return tmpl.render(data);
}

void require_fields(const Template& tmpl, const json& fields, bool with_recipient) {
    for (const auto& name : tmpl.requires_fields) {
        if (!with_recipient && name.starts_with("recipient."))
            continue;
        if (!has_value(fields, name)) {
            auto field = find_field(name);
            throw Error(Exit::usage,
                        fmt::format("template {} needs {}: {}", tmpl.name, name,
                                    field ? field->supplied_by : std::string_view("a value")));
        }
    }
}

} // namespace

void check_required(const Template& tmpl, const json& fields) {
    require_fields(tmpl, fields, false);
}

Message render_message(const Template& tmpl, const json& fields, Escaping escaping) {
    require_fields(tmpl, fields, true);
    mustache::data data = to_data(fields.is_object() ? fields : json::object());
    Message message{fill(tmpl.subject, data, escaping), fill(tmpl.body, data, escaping)};
    // A subject becomes a header: one line, whatever the values held.
    for (char& c : message.subject)
        if (c == '\n' || c == '\r')
            c = ' ';
    return message;
}

} // namespace outage
