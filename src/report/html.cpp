#include "outage/report/html.hpp"

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

namespace outage {

std::string html_escape(std::string_view text) {
    return kainjow::mustache::html_escape<std::string>(std::string(text));
}

std::string html_page_start(std::string_view title, std::string_view style) {
    return fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"outage\">\n<title>{}</title>\n<style>{}</style>\n"
        "</head>\n<body>\n<main>\n",
        html_escape(title), style);
}

} // namespace outage
