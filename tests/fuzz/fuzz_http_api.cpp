// Fuzzes serve's API (http_api.hpp) as the transport hands it requests, over the small fixed
// model of the unit tests. The input is a sequence of requests separated by lines holding only
// "--": each is "METHOD TARGET" on its first line and the body after it; "$SID" in a target
// stands for the last session id the API returned, and "$MOVIE" for its current recommendation,
// so that sequences reach the session routes. Properties: handle() never throws and never
// answers 500 (an exception inside a handler), every status is one the API documents, every
// JSON answer parses and every error is {"error": non-empty text}, and the security headers are
// on every response.
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz_support.hpp"
#include "movierec/frontends/http_api.hpp"
#include "repl_fixture_model.hpp"

namespace {

using movierec::fuzz::check;

struct Fixed {
  movierec::Model model = movierec::test::fixture_model();
  movierec::TitleIndex titles{movierec::title_entries(model.catalog())};
  movierec::ServeOptions options = [] {
    movierec::ServeOptions small;
    small.max_sessions = 4;  // so that the limit is met
    return small;
  }();
};

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixed fixed;
  movierec::HttpApi api(fixed.model, fixed.titles, movierec::test::fixture_policy(), fixed.options);
  std::string_view input = movierec::fuzz::as_text(data, size);
  std::string sid = "none";
  std::string movie = "0";
  constexpr std::string_view kSeparator = movierec::fuzz::kFileSeparator;
  while (!input.empty()) {
    const std::size_t end = std::min(input.find(kSeparator), input.size());
    const std::string_view part = input.substr(0, end);
    input.remove_prefix(std::min(input.size(), end + kSeparator.size()));

    const std::size_t line_end = std::min(part.find('\n'), part.size());
    const std::string_view line = part.substr(0, line_end);
    const std::size_t space = std::min(line.find(' '), line.size());
    movierec::HttpRequest request;
    request.method = std::string(line.substr(0, space));
    std::string target(line.substr(std::min(line.size(), space + 1)));
    replace_all(target, "$SID", sid);
    replace_all(target, "$MOVIE", movie);
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos)
      request.query = movierec::parse_query(target.substr(question + 1));
    request.body = std::string(part.substr(std::min(part.size(), line_end + 1)));
    replace_all(request.body, "$MOVIE", movie);

    const movierec::HttpResponse response = api.handle(request);
    check(response.status != 500, "a handler failed inside (500)");
    constexpr std::array<int, 8> kStatuses = {200, 201, 400, 404, 405, 409, 413, 503};
    check(std::find(kStatuses.begin(), kStatuses.end(), response.status) != kStatuses.end(),
          "an undocumented status");
    check(response.header("Content-Security-Policy") != nullptr, "no security headers");
    const std::string* type = response.header("Content-Type");
    check(type != nullptr, "no Content-Type");
    if (*type != "application/json") continue;
    nlohmann::json body;
    try {
      body = nlohmann::json::parse(response.body);
    } catch (const nlohmann::json::exception&) {
      movierec::fuzz::fail("an answer that is not JSON");
    }
    if (response.status >= 400) {
      check(body.size() == 1 && body.contains("error") && body["error"].is_string() &&
                !body["error"].get<std::string>().empty(),
            "an error that is not {\"error\": text}");
      continue;
    }
    if (body.contains("session_id")) sid = body["session_id"].get<std::string>();
    if (body.contains("recommendation") && body["recommendation"].is_object()) {
      movie = std::to_string(body["recommendation"]["movie_id"].get<int>());
    }
  }
  return 0;
}
