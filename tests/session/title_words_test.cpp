#include "movierec/session/title_words.hpp"

#include <catch2/catch.hpp>

using namespace movierec;

namespace {

using Words = std::vector<std::string>;

// (word, typos, partial) of each match, in vocabulary order.
std::vector<std::tuple<std::string, std::uint32_t, bool>> described(
    const Vocabulary& vocabulary, const std::vector<WordMatch>& matches) {
  std::vector<std::tuple<std::string, std::uint32_t, bool>> out;
  for (const WordMatch& m : matches) out.emplace_back(vocabulary.word(m.word), m.typos, m.partial);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("search_words folds text and splits elisions only") {
  CHECK(search_words("L'Auberge espagnole") == Words{"l", "auberge", "espagnole"});
  CHECK(search_words("L\xE2\x80\x99"
                     "Auberge") == Words{"l", "auberge"});
  CHECK(search_words("Fabuleux destin d'Am\xC3\xA9lie Poulain") ==
        Words{"fabuleux", "destin", "d", "amelie", "poulain"});
  CHECK(search_words("Schindler's List") == Words{"schindlers", "list"});
  CHECK(search_words("Rock 'n' Roll") == Words{"rock", "n", "roll"});
  CHECK(search_words("Spider-Man 2") == Words{"spider", "man", "2"});
  CHECK(search_words("Dumb & Dumber") == Words{"dumb", "and", "dumber"});
  CHECK(search_words("Tom&Viv") == Words{"tom", "and", "viv"});
  CHECK(search_words("  ") == Words{});
  CHECK(search_words("'") == Words{});
  CHECK(search_words("x'") == Words{"x"});
  CHECK(search_words("\xFF\xFE") == Words{});
}

TEST_CASE("join_words and is_article_word") {
  CHECK(join_words({"the", "matrix", "1999"}) == "the matrix 1999");
  CHECK(join_words({"the", "matrix"}, 1) == "matrix");
  CHECK(join_words({}, 0).empty());
  for (const char* article : {"the", "a",   "an", "le", "la", "les", "l",   "el",  "il", "der",
                              "die", "das", "o",  "os", "de", "het", "een", "det", "en", "ett"}) {
    CHECK(is_article_word(article));
  }
  CHECK_FALSE(is_article_word("matrix"));
  CHECK_FALSE(is_article_word("The"));  // folded words only
}

TEST_CASE("numeral_twin pairs digits with Roman numerals") {
  CHECK(numeral_twin("2") == "ii");
  CHECK(numeral_twin("ii") == "2");
  CHECK(numeral_twin("iv") == "4");
  CHECK(numeral_twin("xx") == "20");
  CHECK(numeral_twin("20") == "xx");
  CHECK(numeral_twin("1").empty());
  CHECK(numeral_twin("i").empty());
  CHECK(numeral_twin("21").empty());
  CHECK(numeral_twin("vixen").empty());
}

TEST_CASE("vocabulary finds exact words, prefixes and typos") {
  const Vocabulary vocabulary(
      {"forrest", "forest", "gump", "the", "story", "stories", "she", "redemption", "toy", "2"});
  CHECK(vocabulary.size() == 10);
  CHECK(vocabulary.find("gump") == 2u);
  CHECK_FALSE(vocabulary.find("gum"));

  using M = std::tuple<std::string, std::uint32_t, bool>;
  CHECK(described(vocabulary, vocabulary.match("forest", 1, false)) ==
        std::vector<M>{{"forest", 0, false}, {"forrest", 1, false}});
  CHECK(described(vocabulary, vocabulary.match("forest", 0, false)) ==
        std::vector<M>{{"forest", 0, false}});
  CHECK(described(vocabulary, vocabulary.match("sto", 0, true)) ==
        std::vector<M>{{"stories", 0, true}, {"story", 0, true}});
  CHECK(vocabulary.match("sto", 0, false).empty());
  // A transposition is one typo even though it changes four trigrams.
  CHECK(described(vocabulary, vocabulary.match("teh", 1, false)) ==
        std::vector<M>{{"the", 1, false}});
  CHECK(described(vocabulary, vocabulary.match("redemtion", 2, false)) ==
        std::vector<M>{{"redemption", 1, false}});
  CHECK(described(vocabulary, vocabulary.match("redmtoin", 2, false)).empty());  // three edits
  CHECK(vocabulary.match("", 2, true).empty());
  CHECK(vocabulary.match("zzzz", 2, true).empty());
  // Results come sorted by id, one per word, the best way first.
  const std::vector<WordMatch> story = vocabulary.match("story", 1, true);
  CHECK(std::is_sorted(story.begin(), story.end(),
                       [](const WordMatch& a, const WordMatch& b) { return a.word < b.word; }));
  CHECK(described(vocabulary, story) == std::vector<M>{{"story", 0, false}});
  CHECK(described(vocabulary, vocabulary.match("stor", 1, true)) ==
        std::vector<M>{{"stories", 0, true}, {"story", 0, true}});
}

TEST_CASE("an empty vocabulary matches nothing") {
  const Vocabulary empty;
  CHECK(empty.size() == 0);
  CHECK(empty.match("matrix", 2, true).empty());
  CHECK_FALSE(empty.find("matrix"));
}
