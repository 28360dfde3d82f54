#include "outage/services/notice_templates.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage {

Template load_notice_template(const TemplatePath& path, const std::string& name,
                              const std::string& lang, std::vector<std::string>& warnings) {
    bool fallback = false;
    Template tmpl = load_template(path, name, lang, fallback);
    std::string warning = fmt::format("template {} has no '{}' version; using English", name, lang);
    if (fallback && std::find(warnings.begin(), warnings.end(), warning) == warnings.end())
        warnings.push_back(std::move(warning));
    return tmpl;
}

TemplatesByLanguage::TemplatesByLanguage(const TemplatePath& path, std::string name,
                                         const nlohmann::json& fields,
                                         std::vector<std::string>& warnings)
    : m_path(path), m_name(std::move(name)), m_fields(fields), m_warnings(warnings) {}

void TemplatesByLanguage::adopt(const std::string& lang, Template tmpl) {
    MessageRenderer renderer(std::move(tmpl), Escaping::plain_text);
    renderer.share_fields(m_fields);
    m_by_language.insert_or_assign(lang, std::move(renderer));
}

MessageRenderer& TemplatesByLanguage::get(const std::string& lang) {
    auto it = m_by_language.find(lang);
    if (it != m_by_language.end())
        return it->second;
    MessageRenderer renderer(load_notice_template(m_path, m_name, lang, m_warnings),
                             Escaping::plain_text);
    renderer.share_fields(m_fields);
    return m_by_language.emplace(lang, std::move(renderer)).first->second;
}

} // namespace outage
