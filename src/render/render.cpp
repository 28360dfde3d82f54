#include "outage/render/render.hpp"

#include "outage/model/error.hpp"
#include "outage/render/fields.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

namespace outage {
namespace {

namespace mustache = kainjow::mustache;
using nlohmann::json;

// Stands in for a template's newlines while kainjow renders (see prepare_for_kainjow).
constexpr char newline_stand_in = '\x1e';

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
        std::string text = value.get<std::string>();
        // A value never holds the stand-in for a template newline (see prepare_for_kainjow).
        std::erase(text, newline_stand_in);
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
    if (value->is_boolean()) // `resolved` while the incident is open
        return value->get<bool>();
    return true;
}

// kainjow drops an output line that held a rendered section tag and came out blank, but keeps
// the blank line a skipped section leaves: blank lines would come and go with the data. So we
// apply the Mustache spec's rule ourselves (a line holding nothing but one section, inverted,
// closing or comment tag leaves no trace) and hand kainjow text without newlines, a control
// character standing in for them, so that everything else comes out exactly as written.
std::string prepare_for_kainjow(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? "" : text.substr(end + 1);
        size_t first = line.find_first_not_of(" \t");
        std::string_view tag = first == std::string_view::npos ? "" : line.substr(first);
        if (tag.ends_with('\r'))
            tag.remove_suffix(1);
        bool standalone = tag.size() >= 5 && tag.starts_with("{{") &&
                          std::string_view("#^/!").find(tag[2]) != std::string_view::npos &&
                          tag.find("}}") == tag.size() - 2;
        if (standalone) {
            out += tag;
            continue;
        }
        out += line;
        if (end != std::string_view::npos)
            out += newline_stand_in;
    }
    return out;
}

// One side of a template (subject or body) as kainjow holds it, parsed once.
struct ParsedText {
    mustache::mustache tmpl;

    ParsedText(const std::string& text, Escaping escaping) : tmpl(prepare_for_kainjow(text)) {
        if (escaping == Escaping::plain_text)
            tmpl.set_custom_escape([](const std::string& s) { return s; });
    }

    std::string fill(const mustache::data& data) {
        std::string out = tmpl.render(data);
        std::replace(out.begin(), out.end(), newline_stand_in, '\n');
        return out;
    }
};

enum class Required { all, shared, recipient };

// The recipient's own fields are checked against its columns alone (`fields` is then the
// columns), the others against the notice's fields.
void require_fields(const Template& tmpl, const json& fields, Required which) {
    constexpr std::string_view recipient_prefix = "recipient.";
    for (const auto& name : tmpl.requires_fields) {
        bool of_recipient = name.starts_with(recipient_prefix);
        if ((which == Required::shared && of_recipient) ||
            (which == Required::recipient && !of_recipient))
            continue;
        bool present = which == Required::recipient
                           ? has_value(fields, name.substr(recipient_prefix.size()))
                           : has_value(fields, name);
        if (!present) {
            auto field = find_field(name);
            throw Error(Exit::usage,
                        fmt::format("template {} needs {}: {}", tmpl.name, name,
                                    field ? field->supplied_by : std::string_view("a value")));
        }
    }
}

} // namespace

void check_required(const Template& tmpl, const json& fields) {
    require_fields(tmpl, fields, Required::shared);
}

struct MessageRenderer::Parsed {
    ParsedText subject;
    ParsedText body;
    json shared_fields = json::object();
    mustache::data shared{mustache::data::type::object};

    Message fill(const mustache::data& data) {
        Message message{subject.fill(data), body.fill(data)};
        // A subject becomes a header: one line, whatever the values held.
        for (char& c : message.subject)
            if (c == '\n' || c == '\r')
                c = ' ';
        return message;
    }
};

MessageRenderer::MessageRenderer(Template tmpl, Escaping escaping)
    : m_template(std::move(tmpl)),
      m_parsed(std::make_unique<Parsed>(Parsed{ParsedText(m_template.subject, escaping),
                                               ParsedText(m_template.body, escaping)})) {}

MessageRenderer::MessageRenderer(MessageRenderer&&) noexcept = default;
MessageRenderer& MessageRenderer::operator=(MessageRenderer&&) noexcept = default;
MessageRenderer::~MessageRenderer() = default;

Message MessageRenderer::render(const json& fields) {
    require_fields(m_template, fields, Required::all);
    return m_parsed->fill(to_data(fields.is_object() ? fields : json::object()));
}

void MessageRenderer::share_fields(const json& shared) {
    m_parsed->shared_fields = shared.is_object() ? shared : json::object();
    m_parsed->shared = to_data(m_parsed->shared_fields);
}

Message MessageRenderer::render_for(const json& recipient) {
    // Checked for each message, as render() does: a missing value fails the deliveries of
    // this template (one language of a notice may need what another does not), not the send.
    require_fields(m_template, m_parsed->shared_fields, Required::shared);
    static const json no_columns = json::object();
    const json& columns = recipient.is_object() ? recipient : no_columns;
    require_fields(m_template, columns, Required::recipient);
    m_parsed->shared.set("recipient", to_data(recipient));
    return m_parsed->fill(m_parsed->shared);
}

Message render_message(const Template& tmpl, const json& fields, Escaping escaping) {
    return MessageRenderer(tmpl, escaping).render(fields);
}

} // namespace outage
