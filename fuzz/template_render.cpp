// The template parser with its strict checks, then the renderer, on arbitrary bytes. An
// external template that passes the checks must never show an internal field's value.
#include "fuzz_input.hpp"
#include "outage/model/error.hpp"
#include "outage/render/fields.hpp"
#include "outage/render/render.hpp"
#include "outage/render/template.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

namespace {

constexpr std::string_view internal_marker = "INTERNAL-7f3a";

nlohmann::json all_fields() {
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& field : outage::field_catalog()) {
        std::string name(field.name);
        fields[name] = field.field_class == outage::FieldClass::internal_field
                           ? std::string(internal_marker) + "-" + name
                           : "value of " + name + " {{owner}}";
    }
    fields["services"] = {"phones", "<b>chat</b>"};
    fields["recipient"] = {{"name", "Ann"}, {"organisation", "Acme"}};
    return fields;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const nlohmann::json fields = all_fields();
    std::vector<outage::Problem> problems;
    auto tmpl = outage::parse_template(fuzz_file("fuzz.en.mustache", data, size), problems);
    if (tmpl.has_value() != problems.empty())
        __builtin_trap();
    if (!tmpl)
        return 0;
    for (auto escaping : {outage::Escaping::plain_text, outage::Escaping::html}) {
        try {
            auto message = outage::render_message(*tmpl, fields, escaping);
            std::string_view input(reinterpret_cast<const char*>(data), size);
            bool leaked = message.subject.find(internal_marker) != std::string::npos ||
                          message.body.find(internal_marker) != std::string::npos;
            if (tmpl->audience == outage::AudienceClass::external && leaked &&
                input.find(internal_marker) == std::string_view::npos)
                __builtin_trap();
        } catch (const outage::Error&) {
            // a required field without a value: reported, not a crash
        }
    }
    return 0;
}
