#pragma once

#include "outage/render/template.hpp"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>

namespace outage {

// A filled-in message.
struct Message {
    std::string subject;
    std::string body;
};

enum class Escaping { plain_text, html };

// Whether every required field of a template has a value, for the fields known before the
// recipients are: recipient.* requirements are left to each message. Throws Error(usage)
// naming the first required field without a value and what supplies it ("needs eta: pass
// --eta").
void check_required(const Template& tmpl, const nlohmann::json& fields);

// A template parsed once and filled for each recipient of a bulk send: parsing costs more
// than filling, so a million messages parse it once.
class MessageRenderer {
  public:
    MessageRenderer(Template tmpl, Escaping escaping);
    MessageRenderer(MessageRenderer&&) noexcept;
    MessageRenderer& operator=(MessageRenderer&&) noexcept;
    ~MessageRenderer();

    const Template& source() const { return m_template; }

    // Fills the template with field values (a JSON object: strings, numbers, lists, and a
    // "recipient" object of CSV columns). Values are inserted as they are, never expanded
    // again; HTML escaping only for Escaping::html. Throws like check_required, recipient
    // fields included.
    Message render(const nlohmann::json& fields);

    // The same for the messages of one notice, without converting the notice's fields for
    // each: `shared` is converted once, then each message adds only its recipient's columns
    // as "recipient". render_for throws like render.
    void share_fields(const nlohmann::json& shared);
    Message render_for(const nlohmann::json& recipient);

  private:
    struct Parsed;
    Template m_template;
    std::unique_ptr<Parsed> m_parsed;
};

// One message from a template, parsed for this message alone.
Message render_message(const Template& tmpl, const nlohmann::json& fields, Escaping escaping);

} // namespace outage
