#include "outage/report/html.hpp"

#include <kainjow/mustache.hpp>

namespace outage {

std::string html_escape(std::string_view text) {
    return kainjow::mustache::html_escape<std::string>(std::string(text));
}

} // namespace outage
