#include "movierec/data/catalog.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

const std::string kHeader =
    "movieId,title,year,genres,rating_count,rating_mean,imdbId,tmdbId,tags,overview,"
    "release_date,runtime\n";

Catalog catalog_of(const std::string& text) {
  std::istringstream in(text);
  return Catalog::read(in, "movie_metadata.csv");
}

std::string catalog_error(const std::string& text) {
  try {
    catalog_of(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("catalog reads every column of movie_metadata.csv") {
  const Catalog catalog =
      catalog_of(kHeader +
                 "2500,\"Matrix, The (1999)\",1999,Action|Sci-Fi|Thriller,278,4.19,0999931,99931,"
                 "martial arts|sci-fi|alternate reality,\"A hacker learns, at last, the truth.\","
                 "1999-04-01,131.0\n"
                 "3,Toy Story (1995),1995,Adventure|Animation,215,3.92,0999901,99901,pixar,,,81\n"
                 "99999,Obscure Film,,(no genres listed),,,,,,,,\n");
  REQUIRE(catalog.size() == 3);
  const MovieInfo* matrix = catalog.find(2500);
  REQUIRE(matrix != nullptr);
  CHECK(matrix->title == "Matrix, The (1999)");
  CHECK(matrix->year == 1999);
  CHECK(matrix->genres == std::vector<std::string>{"Action", "Sci-Fi", "Thriller"});
  CHECK(matrix->rating_count == 278);
  CHECK(matrix->rating_mean == Approx(4.19));
  CHECK(matrix->imdb_id == "0999931");
  CHECK(matrix->tmdb_id == "99931");
  CHECK(matrix->tags == std::vector<std::string>{"martial arts", "sci-fi", "alternate reality"});
  CHECK(matrix->overview == "A hacker learns, at last, the truth.");
  CHECK(matrix->release_date == "1999-04-01");
  CHECK(matrix->runtime_minutes == 131);
  CHECK(catalog.find(3)->runtime_minutes == 81);
  CHECK(catalog.find(3)->overview.empty());

  const MovieInfo* obscure = catalog.find(99999);
  REQUIRE(obscure != nullptr);
  CHECK(obscure->year == 0);
  CHECK(obscure->genres.empty());
  CHECK(obscure->rating_count == 0);
  CHECK(obscure->rating_mean == 0);
  CHECK(obscure->imdb_id.empty());
  CHECK(obscure->runtime_minutes == 0);
  CHECK(catalog.find(5) == nullptr);
  CHECK(catalog.movies()[1].id == 3);  // file order is kept
}

TEST_CASE("catalog finds columns by name, in any order, with CRLF and a BOM") {
  const Catalog catalog = catalog_of(
      "\xEF\xBB\xBFtitle,runtime,release_date,overview,tags,tmdbId,imdbId,rating_mean,"
      "rating_count,genres,year,movieId\r\n"
      "Heat (1995),171,1995-12-14,,,99912.0,0999912,3.9,102,Action|Crime,1995,16\r\n");
  REQUIRE(catalog.size() == 1);
  CHECK(catalog.movies()[0].id == 16);
  CHECK(catalog.movies()[0].title == "Heat (1995)");
  CHECK(catalog.movies()[0].tmdb_id == "99912");
  CHECK(catalog.movies()[0].runtime_minutes == 171);
}

TEST_CASE("catalog errors name the file, the line and the column") {
  const std::string good = "3,Toy Story (1995),1995,Animation,10,3.5,0999901,99901,,,,81\n";
  CHECK(catalog_error("movieId,title\n3,Toy Story (1995)\n").find("missing column 'year'") !=
        std::string::npos);
  CHECK(catalog_error(kHeader + good + "x,Heat (1995),1995,,,,,,,,,\n") ==
        "movie_metadata.csv:3: column 'movieId': expected a whole number, found 'x'");
  CHECK(catalog_error(kHeader + good + "2,Heat (1995),1995,,,7.5,,,,,,\n") ==
        "movie_metadata.csv:3: column 'rating_mean': 7.5 is outside 0..5");
  CHECK(catalog_error(kHeader + good + "2,Heat (1995),1995,,-3,,,,,,,\n") ==
        "movie_metadata.csv:3: column 'rating_count': -3 is below 0");
  CHECK(catalog_error(kHeader + good + "2,Heat (1995),nineteen,,,,,,,,,\n")
            .find("movie_metadata.csv:3: column 'year'") == 0);
  CHECK(catalog_error(kHeader + good + "2,Heat (1995),1995,,,,tt0999912,,,,,\n") ==
        "movie_metadata.csv:3: column 'imdbId': expected digits, found 'tt0999912'");
  CHECK(catalog_error(kHeader + good + "2,Heat (1995),1995,,,,,,,,15/12/1995,\n")
            .find("movie_metadata.csv:3: column 'release_date'") == 0);
  CHECK(catalog_error(kHeader + good + "2,Heat (1995),1995,,,,,,,,,long\n")
            .find("movie_metadata.csv:3: column 'runtime'") == 0);
  CHECK(catalog_error(kHeader + good + "2,,1995,,,,,,,,,\n") ==
        "movie_metadata.csv:3: column 'title': empty title");
  CHECK(catalog_error(kHeader + good + "2,Am\xE9lie (2001),2001,,,,,,,,,\n") ==
        "movie_metadata.csv:3: column 'title': title is not valid UTF-8");
  CHECK(catalog_error(kHeader + good + good) ==
        "movie_metadata.csv:3: column 'movieId': movie id 3 already appeared on line 2");
  CHECK(catalog_error(kHeader + good + "2,Heat (1995),1995\n") ==
        "movie_metadata.csv:3: expected 12 fields (as in the header), found 3");
  CHECK(catalog_error(kHeader + "2,\"Heat (1995),1995,,,,,,,,,\n").find("movie_metadata.csv:2:") ==
        0);
  CHECK(catalog_error("").find("movie_metadata.csv") == 0);
}

TEST_CASE("catalog from a vector refuses a repeated id") {
  MovieInfo a;
  a.id = 7;
  a.title = "Se7en (1995)";
  MovieInfo b = a;
  CHECK_THROWS_AS(Catalog(std::vector<MovieInfo>{a, b}), Error);
  b.id = 8;
  const Catalog catalog(std::vector<MovieInfo>{a, b});
  CHECK(catalog.find(8)->title == "Se7en (1995)");
}

TEST_CASE("catalog load names a missing file") {
  CHECK_THROWS_AS(Catalog::load("/nonexistent/movie_metadata.csv"), InputError);
}

TEST_CASE("display_title puts the article back in front") {
  CHECK(display_title("Matrix, The (1999)") == "The Matrix (1999)");
  CHECK(display_title("Shawshank Redemption, The (1994)") == "The Shawshank Redemption (1994)");
  CHECK(display_title("Walk in the Clouds, A (1995)") == "A Walk in the Clouds (1995)");
  CHECK(display_title("Awfully Big Adventure, An (1995)") == "An Awfully Big Adventure (1995)");
  CHECK(display_title("Haine, La (1995)") == "La Haine (1995)");
  CHECK(display_title("Misérables, Les (1995)") == "Les Misérables (1995)");
  CHECK(display_title("Fabuleux destin d'Amélie Poulain, Le (2001)") ==
        "Le Fabuleux destin d'Amélie Poulain (2001)");
  CHECK(display_title("Auberge espagnole, L' (2002)") == "L'Auberge espagnole (2002)");
  CHECK(display_title("Boot, Das (Boat, The) (1981)") == "Das Boot (The Boat) (1981)");
  CHECK(display_title("Postman, The (Postino, Il) (1994)") == "The Postman (Il Postino) (1994)");
  CHECK(display_title("Day of the Beast, The (Día de la Bestia, El) (1995)") ==
        "The Day of the Beast (El Día de la Bestia) (1995)");
  CHECK(display_title("Seventh Seal, The (Sjunde inseglet, Det) (1957)") ==
        "The Seventh Seal (Det Sjunde inseglet) (1957)");
  CHECK(display_title("Green Butchers, The (Grønne slagtere, De) (2003)") ==
        "The Green Butchers (De Grønne slagtere) (2003)");
  CHECK(display_title("Lord of the Rings: The Fellowship of the Ring, The (2001)") ==
        "The Lord of the Rings: The Fellowship of the Ring (2001)");
  CHECK(
      display_title("Good, the Bad and the Ugly, The (Buono, il brutto, il cattivo, Il) (1966)") ==
      "The Good, the Bad and the Ugly (Il Buono, il brutto, il cattivo) (1966)");
}

TEST_CASE("display_title keeps alternative titles and odd shapes sensible") {
  CHECK(display_title("Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)") ==
        "Amelie (Le Fabuleux destin d'Amélie Poulain) (2001)");
  CHECK(display_title("Seven (a.k.a. Se7en) (1995)") == "Seven (a.k.a. Se7en) (1995)");
  CHECK(display_title("Legend of 1900, The (a.k.a. The Legend of the Pianist on the Ocean) "
                      "(Leggenda del pianista sull'oceano) (1998)") ==
        "The Legend of 1900 (a.k.a. The Legend of the Pianist on the Ocean) (Leggenda del "
        "pianista sull'oceano) (1998)");
  CHECK(display_title("Moonlight") == "Moonlight");
  CHECK(display_title("Jungle Book, The") == "The Jungle Book");
  CHECK(display_title("  Runaway Brain (1995) ") == "Runaway Brain (1995)");
  CHECK(display_title("Death Note: Desu nôto (2006–2007)") == "Death Note: Desu nôto (2006–2007)");
  CHECK(display_title("(500) Days of Summer (2009)") == "(500) Days of Summer (2009)");
  CHECK(display_title("Paris, Texas (1984)") == "Paris, Texas (1984)");
  CHECK(display_title("I, Robot (2004)") == "I, Robot (2004)");
  CHECK(display_title("Monsters, Inc. (2001)") == "Monsters, Inc. (2001)");
  CHECK(display_title("Unbalanced (Title (1999)") == "Unbalanced (Title (1999)");
  CHECK(display_title(", The (1999)") == ", The (1999)");
  CHECK(display_title("") == "");
}

TEST_CASE("parse_title separates name, alternatives and year") {
  const TitleParts amelie = parse_title("Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)");
  CHECK(amelie.name == "Amelie");
  CHECK(amelie.alternatives == std::vector<std::string>{"Le Fabuleux destin d'Amélie Poulain"});
  CHECK(amelie.year == 2001);
  CHECK(amelie.year_text == "2001");
  CHECK(amelie.articles == std::vector<std::string>{"", "Le"});
  CHECK(parse_title("Auberge espagnole, L' (2002)").articles == std::vector<std::string>{"L'"});
  CHECK(parse_title("Die Hard (1988)").articles == std::vector<std::string>{""});
  const TitleParts series = parse_title("Death Note: Desu nôto (2006–2007)");
  CHECK(series.year == 2006);
  CHECK(series.alternatives.empty());
  const TitleParts no_year = parse_title("Babylon 5");
  CHECK(no_year.name == "Babylon 5");
  CHECK(no_year.year == 0);
  CHECK(no_year.year_text.empty());
  const TitleParts number = parse_title("1984 (1984)");
  CHECK(number.name == "1984");
  CHECK(number.year == 1984);
  const TitleParts not_a_year = parse_title("Supercop 2 (Project S)");
  CHECK(not_a_year.name == "Supercop 2");
  CHECK(not_a_year.alternatives == std::vector<std::string>{"Project S"});
  CHECK(not_a_year.year == 0);
}
