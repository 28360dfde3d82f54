#pragma once

#include "outage/render/render.hpp"
#include "outage/render/template.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace outage {

// Loads template `name` in `lang` (see load_template); when it falls back to English, says so
// in `warnings`, once however often it is asked.
Template load_notice_template(const TemplatePath& path, const std::string& name,
                              const std::string& lang, std::vector<std::string>& warnings);

// A notice's template in each language its recipients ask for, parsed on first use and given
// the notice's fields once, so a bulk send parses it once per language.
class TemplatesByLanguage {
  public:
    // Keeps references to all three: they must outlive this.
    TemplatesByLanguage(const TemplatePath& path, std::string name, const nlohmann::json& fields,
                        std::vector<std::string>& warnings);

    // Takes the template already loaded for `lang` (the plan's), so it is not read again.
    void adopt(const std::string& lang, Template tmpl);

    // The renderer for `lang`, loading its template on first use (falling back to English).
    MessageRenderer& get(const std::string& lang);

  private:
    const TemplatePath& m_path;
    std::string m_name;
    const nlohmann::json& m_fields;
    std::vector<std::string>& m_warnings;
    std::map<std::string, MessageRenderer> m_by_language;
};

} // namespace outage
