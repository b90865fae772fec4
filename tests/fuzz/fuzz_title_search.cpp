// Fuzzes title search (title_search.hpp): the input is a query, given to resolve (with and
// without a filter), closest and complete on a fixed catalog of titles chosen for the rules'
// corner cases (articles, alternative titles, accents, years, Roman numerals, numbers). Nothing
// may throw, and the results must keep the contract: at most `limit` matches, one for certain,
// only movies the filter allows.
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "movierec/session/title_search.hpp"

namespace {

using movierec::fuzz::check;
constexpr std::size_t kLimit = 6;

std::vector<movierec::TitleEntry> entries() {
  const char* titles[] = {
      "Matrix, The (1999)",
      "Toy Story (1995)",
      "Toy Story 2 (1999)",
      "Toy Story 3 (2010)",
      "Heat (1995)",
      "Heat (1972)",
      "Pulp Fiction (1994)",
      "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
      "Godfather: Part II, The (1974)",
      "Blade Runner (1982)",
      "Blade Runner 2049 (2017)",
      "Seven (a.k.a. Se7en) (1995)",
      "Auberge espagnole, L' (2002)",
      "Spider-Man (2002)",
      "Schindler's List (1993)",
      "Star Wars: Episode IV - A New Hope (1977)",
      "Band of Brothers (2001–2001)",
      "Hellboy",
      "1917 (2019)",
      "Fast & Furious (2009)",
      "Løvehjerte (1999)",
      "Straße, Die (1923)",
      "M (1931)",
      "Æon Flux (2005)",
  };
  std::vector<movierec::TitleEntry> list;
  std::int32_t id = 1;
  for (const char* title : titles) {
    list.push_back({id, title, 0, static_cast<double>(id * 37 % 11)});
    ++id;
  }
  return list;
}

bool odd(std::int32_t id) { return id % 2 == 1; }

void check_result(const movierec::TitleSearchResult& result, bool filtered) {
  check(result.matches.size() <= kLimit, "more matches than the limit");
  switch (result.resolution) {
    case movierec::Resolution::kNone:
      check(result.matches.empty(), "matches for a query that found none");
      break;
    case movierec::Resolution::kCertain:
      check(result.matches.size() == 1, "a certain resolution with other than one match");
      break;
    case movierec::Resolution::kAmbiguous:
      check(!result.matches.empty(), "an ambiguous resolution without matches");
      break;
  }
  for (const movierec::TitleMatch& match : result.matches) {
    check(!filtered || odd(match.id), "a match the filter refuses");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const movierec::TitleIndex index(entries());
  const std::string_view query = movierec::fuzz::as_text(data, size);
  check_result(index.resolve(query, kLimit), false);
  check_result(index.resolve(query, kLimit, odd), true);
  const auto closest = index.closest(query, kLimit, odd);
  check(closest.size() <= kLimit, "more closest titles than the limit");
  for (const movierec::TitleMatch& match : closest) check(odd(match.id), "a refused closest title");
  check(index.complete(query, kLimit).size() <= kLimit, "more completions than the limit");
  check(index.complete(query, kLimit, odd).size() <= kLimit, "more completions than the limit");
  return 0;
}
