// Title search speed on synthetic MovieLens-like catalogs. Hidden from ctest (a benchmark, not
// a test); run with: build/tests/unit_tests "[benchmark]"
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>

#include "movierec/catalog.hpp"
#include "movierec/title_search.hpp"

using namespace movierec;

namespace {

const std::vector<std::string> kCommonWords = {
    "the",      "of",   "and",    "a",     "in",     "love",  "man",    "night",  "day",
    "story",    "last", "life",   "world", "dead",   "king",  "war",    "house",  "black",
    "girl",     "city", "little", "big",   "time",   "blood", "star",   "home",   "death",
    "american", "red",  "dark",   "lost",  "return", "great", "street", "secret", "man",
    "woman",    "boy",  "part",   "ii",    "2",      "3",     "to",     "my",     "for",
    "on",       "with", "from",   "at",    "is",     "moon",  "summer", "heart",  "fire",
    "game",     "road", "island", "dream", "killer", "lady",  "new",    "school", "city"};
const std::vector<std::string> kArticles = {"The", "A", "Les", "La", "Le", "Der", "El", "L'"};

struct Generator {
  std::mt19937 random{12345};
  std::vector<std::string> pseudo;  // invented words (names, rare words), each used a few times

  explicit Generator(std::size_t pseudo_words) {
    const std::string consonants = "bcdfghjklmnprstvwz", vowels = "aeiouy";
    const auto letter = [&](const std::string& from) { return from[random() % from.size()]; };
    while (pseudo.size() < pseudo_words) {
      std::string word;
      for (std::size_t n = 1 + random() % 3; n > 0; --n) {
        word += letter(consonants);
        word += letter(vowels);
        if (random() % 2) word += letter(consonants);
      }
      pseudo.push_back(word);
    }
  }
  std::size_t zipf(std::size_t n) {  // rank ~ 1/r, by inverse transform of a log-uniform
    const double u = std::uniform_real_distribution<double>(0, std::log(double(n)))(random);
    return std::min(n - 1, static_cast<std::size_t>(std::exp(u)) - 1);
  }
  std::string word() {
    std::string w = random() % 100 < 55 ? kCommonWords[zipf(kCommonWords.size())]
                                        : pseudo[random() % pseudo.size()];
    w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    return w;
  }
  std::string name(std::size_t words) {
    std::string out;
    for (std::size_t i = 0; i < words; ++i) out += (i ? " " : "") + word();
    if (random() % 100 < 30) {
      const std::string& article = kArticles[zipf(kArticles.size())];
      out += ", " + article;
    }
    return out;
  }
  TitleEntry entry(std::int32_t id) {
    std::string title = name(1 + zipf(8));
    if (random() % 100 < 12) title += " (" + name(1 + random() % 4) + ")";
    if (random() % 1000 >= 5) title += " (" + std::to_string(1900 + random() % 124) + ")";
    return {id, title, 0, double(1000 / (1 + zipf(1000)))};
  }
};

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

// Mean and worst time of `run` over the queries.
void time_queries(const char* label, const std::vector<std::string>& queries,
                  const std::function<std::size_t(const std::string&)>& run) {
  double total = 0, worst = 0;
  std::size_t found = 0;
  for (const std::string& query : queries) {
    const auto start = std::chrono::steady_clock::now();
    found += run(query) > 0;
    const double ms = elapsed_ms(start);
    total += ms;
    worst = std::max(worst, ms);
  }
  std::printf("  %-34s mean %7.3f ms  max %7.3f ms  (%zu/%zu found)\n", label,
              total / double(queries.size()), worst, found, queries.size());
}

std::string with_typo(std::string text, std::mt19937& random) {
  std::size_t longest = 0, start = 0, best = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ') {
      if (i - start > longest) longest = i - start, best = start;
      start = i + 1;
    }
  }
  if (longest >= 5) text.erase(best + 1 + random() % (longest - 2), 1);  // drop a letter
  return text;
}

void benchmark(std::size_t movies) {
  Generator generator(movies * 2 / 3);
  std::vector<TitleEntry> entries;
  for (std::size_t i = 0; i < movies; ++i) entries.push_back(generator.entry(std::int32_t(i + 1)));
  const auto start = std::chrono::steady_clock::now();
  const TitleIndex index(entries);
  std::printf("%zu titles: index built in %.1f ms\n", movies, elapsed_ms(start));

  std::mt19937 random(7);
  const auto pick = [&]() -> const TitleEntry& { return entries[random() % entries.size()]; };
  std::vector<std::string> exact, display, typos, prefixes, common, partial, completion;
  for (int i = 0; i < 1000; ++i) {
    exact.push_back(pick().title);
    const TitleParts parts = parse_title(pick().title);
    display.push_back(parts.name);
    typos.push_back(with_typo(parts.name, random));
    prefixes.push_back(parts.name.substr(0, parts.name.find(' ', parts.name.find(' ') + 1)));
    common.push_back(kCommonWords[random() % 12]);
    partial.push_back(kCommonWords[random() % 30].substr(0, 2));
    completion.push_back(parts.name.substr(0, 3));
  }
  const auto resolve = [&](const std::string& q) { return index.resolve(q, 8).matches.size(); };
  time_queries("resolve exact MovieLens title", exact, resolve);
  time_queries("resolve display title, no year", display, resolve);
  time_queries("resolve with a typo", typos, resolve);
  time_queries("resolve first two words", prefixes, resolve);
  time_queries("resolve one common word", common, resolve);
  time_queries("resolve two letters", partial, resolve);
  time_queries("complete three letters", completion,
               [&](const std::string& q) { return index.complete(q, 8).size(); });
  const MovieFilter half = [](std::int32_t id) { return id % 2 == 0; };
  time_queries("closest among half the movies", display,
               [&](const std::string& q) { return index.closest(q, 8, half).size(); });
  time_queries("resolve a 1 MB query", std::vector<std::string>(5, std::string(1 << 20, 'x')),
               resolve);
}

}  // namespace

TEST_CASE("title search speed", "[.benchmark]") {
  benchmark(10000);
  benchmark(90000);
}
