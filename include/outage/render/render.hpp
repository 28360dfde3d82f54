#pragma once

#include "outage/render/template.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace outage {

// A filled-in message.
struct Message {
    std::string subject;
    std::string body;
};

enum class Escaping { plain_text, html };

// Fills a template with field values (a JSON object: strings, numbers, lists, and a
// "recipient" object of CSV columns). Values are inserted as they are, never expanded again;
// HTML escaping only for Escaping::html. Throws Error(usage) naming the first required field
// without a value and what supplies it ("needs eta: pass --eta"), and Error(usage) when an
// external template would receive a value the audience must not get.
// The required-field check of render_message alone, for the fields known before recipients
// are: recipient.* requirements are left to each message.
void check_required(const Template& tmpl, const nlohmann::json& fields);

Message render_message(const Template& tmpl, const nlohmann::json& fields, Escaping escaping);

} // namespace outage
