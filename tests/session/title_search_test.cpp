#include "movierec/session/title_search.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "movierec/data/catalog.hpp"
#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

// Titles written for this test in MovieLens style; popularity makes up rating counts.
const std::vector<TitleEntry> kEntries = {
    {1, "Matrix, The (1999)", 0, 300},
    {2, "Matrix Reloaded, The (2003)", 0, 150},
    {3, "Heat (1995)", 0, 100},
    {4, "Heat (1972)", 0, 5},
    {5, "Forrest Gump (1994)", 0, 320},
    {6, "Toy Story (1995)", 0, 215},
    {7, "Toy Story 2 (1999)", 0, 97},
    {8, "Toy Story 3 (2010)", 0, 55},
    {9, "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 0, 120},
    {10, "Haine, La (1995)", 0, 40},
    {11, "Auberge espagnole, L' (2002)", 0, 30},
    {12, "Shawshank Redemption, The (1994)", 0, 317},
    {13, "Pulp Fiction (1994)", 0, 307},
    {14, "Moonlight", 0, 10},
    {15, "Die Hard (1988)", 0, 145},
    {16, "Hard Target (1993)", 0, 20},
    {17, "Spider-Man (2002)", 0, 122},
    {18, "Blade Runner (1982)", 0, 124},
    {19, "Blade Runner 2049 (2017)", 0, 40},
    {20, "Seven (a.k.a. Se7en) (1995)", 0, 200},
    {21, "Heathers (1989)", 0, 30},
    {22, "In the Heat of the Night (1967)", 0, 20},
    {23, "War of the Worlds (2005)", 0, 40},
    {24, "War of the Worlds (2005)", 0, 3},
    {25, "Godfather, The (1972)", 0, 190},
    {26, "Godfather: Part II, The (1974)", 0, 129},
    {27, "Misérables, Les (1995)", 0, 12},
    {28, "Boot, Das (Boat, The) (1981)", 0, 60},
    {29, "Dumb & Dumber (Dumb and Dumber) (1994)", 0, 130},
};

const TitleIndex& index() {
  static const TitleIndex built(kEntries);
  return built;
}

std::vector<std::int32_t> ids(const std::vector<TitleMatch>& matches) {
  std::vector<std::int32_t> out;
  for (const TitleMatch& m : matches) out.push_back(m.id);
  return out;
}

std::vector<std::int32_t> ids(const TitleSearchResult& result) { return ids(result.matches); }

// The one movie a certain resolution gives, or 0 when it is not certain.
std::int32_t certain(std::string_view query) {
  const TitleSearchResult result = index().resolve(query, 8);
  if (result.resolution != Resolution::kCertain) return 0;
  REQUIRE(result.matches.size() == 1);
  return result.matches[0].id;
}

bool none(std::string_view query) {
  const TitleSearchResult result = index().resolve(query, 8);
  return result.resolution == Resolution::kNone && result.matches.empty();
}

using Ids = std::vector<std::int32_t>;

}  // namespace

TEST_CASE("title search ignores case, accents and punctuation") {
  CHECK(certain("pulp fiction") == 13);
  CHECK(certain("PULP FICTION") == 13);
  CHECK(certain("  Pulp   Fiction!  ") == 13);
  CHECK(certain("amelie") == 9);
  CHECK(certain("AM\xC3\x89LIE") == 9);
  CHECK(certain("les miserables") == 27);
  CHECK(certain("Les Mis\xC3\xA9rables") == 27);
}

TEST_CASE("title search handles leading articles in any language") {
  CHECK(ids(index().resolve("the matrix", 8)) == Ids{1, 2});
  CHECK(index().resolve("the matrix", 8).matches[0].kind == MatchKind::kExact);
  CHECK(ids(index().resolve("matrix", 8)) == Ids{1, 2});
  CHECK(ids(index().resolve("Matrix, The", 8)) == Ids{1, 2});
  CHECK(certain("la haine") == 10);
  CHECK(certain("haine") == 10);
  CHECK(certain("l'auberge espagnole") == 11);
  CHECK(certain("L\xE2\x80\x99"
                "Auberge espagnole") == 11);
  CHECK(certain("auberge espagnole") == 11);
  CHECK(certain("das boot") == 28);
  CHECK(certain("boot") == 28);
  CHECK(certain("the boat") == 28);
  CHECK(certain("shawshank redemption") == 12);
  CHECK(certain("the shawshank redemption") == 12);
}

TEST_CASE("a query article that only some titles lack ranks them lower") {
  // "die" is also a German article, but "Die Hard" keeps it: Hard Target only matches without.
  const TitleSearchResult result = index().resolve("die hard", 8);
  CHECK(result.resolution == Resolution::kCertain);
  CHECK(ids(result) == Ids{15});
  CHECK(ids(index().closest("die hard", 8, {})) == Ids{15, 16});
}

TEST_CASE("title search reads an optional year") {
  CHECK(certain("heat 1995") == 3);
  CHECK(certain("heat (1995)") == 3);
  CHECK(certain("Heat (1972)") == 4);
  CHECK(certain("heat 1972") == 4);
  const TitleSearchResult other = index().resolve("heat 1990", 8);
  REQUIRE(other.resolution == Resolution::kAmbiguous);
  CHECK(ids(other).size() >= 2);
  CHECK(other.matches[0].other_year);
  // A final number that is part of the title wins over reading it as a year.
  CHECK(certain("blade runner 2049") == 19);
  CHECK(ids(index().resolve("blade runner", 8)) == Ids{18, 19});
  // The year points to the sequel even though the title is a prefix of it.
  const TitleSearchResult sequel = index().resolve("toy story 1999", 8);
  CHECK(sequel.resolution == Resolution::kAmbiguous);
  CHECK(sequel.matches[0].id == 7);
  CHECK_FALSE(sequel.matches[0].other_year);
  CHECK(sequel.matches[1].other_year);
}

TEST_CASE("title search tolerates small typos") {
  CHECK(certain("forest gump") == 5);
  const TitleSearchResult gump = index().resolve("forest gump", 8);
  CHECK(gump.matches[0].kind == MatchKind::kTypo);
  CHECK(gump.matches[0].typos == 1);
  CHECK(certain("shawshank redemtion") == 12);
  CHECK(certain("shawshenk") == 12);
  CHECK(certain("pulp fcition") == 13);
  CHECK(index().resolve("teh matrix", 8).matches.at(0).id == 1);
  CHECK(certain("spiderman") == 17);  // a missing space is read as typed with it
  CHECK(index().resolve("spiderman", 8).matches[0].kind == MatchKind::kExact);
  // Numbers are not typos of each other.
  CHECK(certain("toy story 3") == 8);
  CHECK(none("toy story 4"));
  // Short words must be exact, and typos have a limit.
  CHECK(none("pulp fictoinal drama"));
  CHECK(none("qwertyuiop"));
}

TEST_CASE("an exact title with its year always resolves without a question") {
  CHECK(certain("Matrix, The (1999)") == 1);
  CHECK(certain("The Matrix (1999)") == 1);
  CHECK(certain("the matrix 1999") == 1);
  CHECK(certain("Toy Story (1995)") == 6);
  CHECK(certain("Godfather, The (1972)") == 25);
  CHECK(certain("Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)") == 9);
  CHECK(certain("Amelie (Le Fabuleux destin d'Amélie Poulain) (2001)") == 9);
  CHECK(certain("Seven (a.k.a. Se7en) (1995)") == 20);
  CHECK(certain("Boot, Das (Boat, The) (1981)") == 28);
}

TEST_CASE("two films sharing a title and year are both offered, never one picked silently") {
  for (const char* query : {"War of the Worlds (2005)", "war of the worlds 2005"}) {
    const TitleSearchResult result = index().resolve(query, 8);
    CHECK(result.resolution == Resolution::kAmbiguous);
    CHECK(ids(result) == Ids{23, 24});  // the more popular first
  }
}

TEST_CASE("alternative titles match by either name") {
  CHECK(certain("fabuleux destin d'amelie poulain") == 9);
  CHECK(certain("Le Fabuleux destin d'Am\xC3\xA9lie Poulain") == 9);
  CHECK(certain("se7en") == 20);
  CHECK(certain("seven") == 20);
}

TEST_CASE("titles without a year are found and never match a given year") {
  CHECK(certain("moonlight") == 14);
  const TitleSearchResult result = index().resolve("moonlight 2016", 8);
  CHECK(result.resolution == Resolution::kAmbiguous);
  REQUIRE(ids(result) == Ids{14});
  CHECK(result.matches[0].other_year);
}

TEST_CASE("ambiguous queries rank exact, then prefix, then word, then typo matches") {
  const TitleSearchResult heat = index().resolve("heat", 8);
  CHECK(heat.resolution == Resolution::kAmbiguous);
  CHECK(ids(heat) == Ids{3, 4, 21, 22});  // two exact (by popularity), prefix, words
  CHECK(heat.matches[0].kind == MatchKind::kExact);
  CHECK(heat.matches[1].kind == MatchKind::kExact);
  CHECK(heat.matches[2].kind == MatchKind::kPrefix);
  CHECK(heat.matches[3].kind == MatchKind::kWords);

  const TitleSearchResult toy = index().resolve("toy story", 8);
  CHECK(toy.resolution == Resolution::kAmbiguous);
  CHECK(ids(toy) == Ids{6, 7, 8});
  CHECK(toy.matches[1].kind == MatchKind::kPrefix);

  CHECK(ids(index().resolve("godfather", 8)) == Ids{25, 26});
  CHECK(ids(index().resolve("heat", 2)) == Ids{3, 4});  // the limit

  // Typo matches come after every match without typos.
  const TitleSearchResult war = index().resolve("wars", 8);
  REQUIRE_FALSE(war.matches.empty());
  CHECK(war.matches.back().kind == MatchKind::kTypo);
}

TEST_CASE("sequel numbers match Roman numerals, and & matches and") {
  CHECK(certain("godfather 2") == 26);
  CHECK(certain("the godfather part 2") == 26);
  CHECK(certain("godfather part ii") == 26);
  CHECK(none("toy story iv"));
  CHECK(certain("toy story iii") == 8);
  CHECK(certain("dumb and dumber") == 29);
  CHECK(certain("dumb & dumber") == 29);
  CHECK(certain("Dumb & Dumber (Dumb and Dumber) (1994)") == 29);
}

TEST_CASE("the last word may be the beginning of a word") {
  CHECK(certain("pulp fic") == 13);
  CHECK(ids(index().resolve("toy sto", 8)) == Ids{6, 7, 8});
  CHECK(index().resolve("toy sto", 8).matches[0].kind == MatchKind::kPrefix);
}

TEST_CASE("search is restricted to the allowed movies") {
  const MovieFilter not_heat_1995 = [](std::int32_t id) { return id != 3; };
  const TitleSearchResult result = index().resolve("heat", 8, not_heat_1995);
  CHECK(ids(result) == Ids{4, 21, 22});
  const MovieFilter only_toy_story_2 = [](std::int32_t id) { return id == 7; };
  CHECK(ids(index().resolve("toy story", 8, only_toy_story_2)) == Ids{7});
  CHECK(index().resolve("toy story", 8, only_toy_story_2).resolution == Resolution::kCertain);
  const MovieFilter nothing = [](std::int32_t) { return false; };
  CHECK(index().resolve("toy story", 8, nothing).resolution == Resolution::kNone);
}

TEST_CASE("closest finds titles in a subset for a refused movie") {
  const MovieFilter without_1972 = [](std::int32_t id) { return id != 4; };
  const std::vector<TitleMatch> heat = index().closest("Heat (1972)", 3, without_1972);
  CHECK(ids(heat) == Ids{3, 22});  // with a year given, "heat" is a whole word: no Heathers
  CHECK(heat[0].other_year);

  // No forgiving match: fall back to shared words, rare words first, articles ignored.
  const MovieFilter matrix_only = [](std::int32_t id) { return id == 1 || id == 2; };
  const std::vector<TitleMatch> revolutions =
      index().closest("The Matrix Revolutions", 5, matrix_only);
  CHECK(ids(revolutions) == Ids{1, 2});
  CHECK(revolutions[0].kind == MatchKind::kSimilar);
  CHECK(index().closest("the koyaanisqatsi", 5, {}).empty());
  CHECK(index().closest("heat", 0, {}).empty());
  // No title has every word: rarer shared words count more. "night" is in one title and
  // "worlds" in two, so In the Heat of the Night comes first; then the two War of the Worlds
  // by popularity; "of" adds little and "the" nothing.
  const std::vector<TitleMatch> words = index().closest("night of the worlds", 8, {});
  CHECK(ids(words) == Ids{22, 23, 24});
}

TEST_CASE("completion gives whole display titles") {
  using Titles = std::vector<std::string>;
  CHECK(index().complete("the mat", 8) ==
        Titles{"The Matrix (1999)", "The Matrix Reloaded (2003)"});
  CHECK(index().complete("mat", 8) == Titles{"The Matrix (1999)", "The Matrix Reloaded (2003)"});
  CHECK(index().complete("The Matrix (19", 8) == Titles{"The Matrix (1999)"});
  CHECK(index().complete("heat (19", 8) == Titles{"Heat (1995)", "Heat (1972)"});
  CHECK(index().complete("heat (197", 8) == Titles{"Heat (1972)"});
  // Typed up to a whole word first ("heat" is Heat), then the rest by popularity.
  CHECK(index().complete("heat", 8) == Titles{"Heat (1995)", "Heat (1972)", "Heathers (1989)"});
  CHECK(index().complete("amelie (le fab", 8) ==
        Titles{"Amelie (Le Fabuleux destin d'Amélie Poulain) (2001)"});
  CHECK(index().complete("fabul", 8) ==
        Titles{"Amelie (Le Fabuleux destin d'Amélie Poulain) (2001)"});
  CHECK(index().complete("l'aub", 8) == Titles{"L'Auberge espagnole (2002)"});
  CHECK(index().complete("toy", 2) == Titles{"Toy Story (1995)", "Toy Story 2 (1999)"});
  CHECK(index().complete("toy", 8, [](std::int32_t id) { return id == 8; }) ==
        Titles{"Toy Story 3 (2010)"});
  CHECK(index().complete("forest", 8).empty());  // no typos while typing
  CHECK(index().complete("", 8).empty());
  CHECK(index().complete("   ", 8).empty());
  CHECK(index().complete("toy", 0).empty());
}

TEST_CASE("hostile queries find nothing and never throw") {
  CHECK(none(""));
  CHECK(none("   \t "));
  CHECK(none("!!! ??? ..."));
  CHECK(none(std::string(1 << 20, 'a')));
  CHECK(none(std::string(1 << 20, ' ') + "heat"));
  CHECK(none("heat \xFF\xFE"));
  CHECK(none(std::string("heat\0\0", 6) + "\x01\x02"));
  CHECK(none("heat\x1B[A"));             // an escape sequence
  CHECK(certain("heat 1995\r\n") == 3);  // but a CRLF line ending is only white space
  std::string many;
  for (int i = 0; i < 100; ++i) many += "heat ";
  CHECK(none(many));  // more words than max_query_words
  CHECK(index().complete(std::string(1 << 20, 'h'), 8).empty());
  CHECK(index().closest(std::string(1 << 20, 'h'), 8, {}).empty());

  std::mt19937 random(20240601);
  const std::string alphabet = "aehrtsmx 0129'-(),.\xC3\xA9\xE2\x80\x99\xFF";
  const std::set<std::int32_t> known = [] {
    std::set<std::int32_t> out;
    for (const TitleEntry& e : kEntries) out.insert(e.id);
    return out;
  }();
  for (int trial = 0; trial < 3000; ++trial) {
    std::string query;
    const std::size_t length = random() % 40;
    for (std::size_t i = 0; i < length; ++i) query += alphabet[random() % alphabet.size()];
    const TitleSearchResult result = index().resolve(query, 8);
    switch (result.resolution) {
      case Resolution::kNone:
        CHECK(result.matches.empty());
        break;
      case Resolution::kCertain:
        CHECK(result.matches.size() == 1);
        break;
      case Resolution::kAmbiguous:
        CHECK(!result.matches.empty());
        CHECK(result.matches.size() <= 8);
        break;
    }
    for (const TitleMatch& m : result.matches) CHECK(known.count(m.id) == 1);
    CHECK(index().closest(query, 4, {}).size() <= 4);
    CHECK(index().complete(query, 4).size() <= 4);
  }
}

TEST_CASE("title index construction") {
  const TitleIndex empty;
  CHECK(empty.size() == 0);
  CHECK(empty.resolve("heat", 8).resolution == Resolution::kNone);
  CHECK(empty.complete("heat", 8).empty());
  CHECK(empty.closest("heat", 8, {}).empty());
  CHECK(index().size() == kEntries.size());

  CHECK_THROWS_AS(TitleIndex({{1, "Heat (1995)", 0, 1}, {1, "Heat (1972)", 0, 1}}), Error);
  const TitleIndex skips_blank({{1, "  ", 0, 1}, {2, "Heat (1995)", 0, 1}});
  CHECK(skips_blank.size() == 1);
  // The entry's year wins over the title's.
  const TitleIndex year({{1, "Heat", 1995, 1}});
  CHECK(year.resolve("heat 1995", 8).resolution == Resolution::kCertain);

  MovieInfo heat;
  heat.id = 6;
  heat.title = "Heat (1995)";
  heat.year = 1995;
  heat.rating_count = 102;
  const std::vector<TitleEntry> entries = title_entries(Catalog({heat}));
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].id == 6);
  CHECK(entries[0].title == "Heat (1995)");
  CHECK(entries[0].popularity == 102);
}

TEST_CASE("a two-digit year is read as a year of the 1900s or the 2000s") {
  CHECK(certain("pulp fiction 94") == 13);
  CHECK(certain("heat 95") == 3);
  CHECK(certain("heat 72") == 4);
  CHECK(certain("the matrix reloaded 03") == 2);
  // Without a movie of that year it is no help, but no harm: the title still ranks first.
  const TitleSearchResult heat = index().resolve("heat 80", 8);
  REQUIRE_FALSE(heat.matches.empty());
  CHECK(heat.matches[0].other_year);
  // A two-digit number that is part of the title is read as the title's first.
  CHECK(certain("toy story 3") == 8);
}

TEST_CASE("after other words, one letter may begin the title's next word") {
  CHECK(ids(index().resolve("blade r", 8)) == Ids{18, 19});
  CHECK(certain("forrest g") == 5);
  CHECK(ids(index().resolve("war of the w", 8)) == Ids{23, 24});
  // Alone, one letter is still too little to search by.
  CHECK(none("w"));
}
