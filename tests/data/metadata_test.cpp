#include "movierec/data/metadata.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

TmdbTable tmdb_of(const std::string& text) {
  std::istringstream in(text);
  return read_tmdb_csv(in, "tmdb.csv");
}

std::string tmdb_error(const std::string& text) {
  try {
    tmdb_of(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

RawDataset small_dataset() {
  RawDataset data;
  data.movies = {{3, "Heat (1995)", "Action|Crime|Thriller"},
                 {1, "Shawshank Redemption, The (1994)", "Crime|Drama"},
                 {7, "Untitled", ""}};
  data.ratings = {{1, 1, 5.0f, 10}, {2, 1, 4.0f, 11}, {2, 3, 3.5f, 12}, {3, 1, 4.5f, 13}};
  data.links = {{1, "0999911", "99911"}, {3, "0999912", "99912"}, {7, "", ""}};
  data.tags = {{3, "heist"}, {3, "Al Pacino"},   {3, "al pacino"}, {3, "AL PACINO"},
               {3, "Heist"}, {3, "los angeles"}, {1, "prison"},    {9, "not a movie"}};
  return data;
}

}  // namespace

TEST_CASE("title_year reads the trailing (YYYY)") {
  CHECK(title_year("Toy Story (1995)") == 1995);
  CHECK(title_year("Babylon 5 (1994) ") == 1994);
  CHECK(title_year("1984 (1984)") == 1984);
  CHECK(title_year("Stranger Things") == 0);
  CHECK(title_year("Cosmos (1980-1981)") == 0);
  CHECK(title_year("(1995)x") == 0);
  CHECK(title_year("Film (19a5)") == 0);
  CHECK(title_year("") == 0);
}

TEST_CASE("rank_tags: most used first, ties alphabetical, case-folded spellings merged") {
  const std::vector<std::string_view> uses = {"zombies", "Funny",   "funny", "dark", "FUNNY",
                                              "Dark",    "  gore ", "",      "a|b",  "dark"};
  // dark and funny 3 uses each (alphabetical between them), then a/b, gore and zombies once
  // each, alphabetically. "dark" is the spelling used most; funny's three spellings tie.
  const auto top = rank_tags(uses, 4);
  REQUIRE(top.size() == 4);
  CHECK(top[0] == "dark");
  CHECK(top[1] == "FUNNY");  // three spellings used once each: the alphabetically smallest
  CHECK(top[2] == "a/b");
  CHECK(top[3] == "gore");
  CHECK(rank_tags(uses, 0).empty());
  CHECK(rank_tags({}, 5).empty());
  CHECK(rank_tags(uses, 100).size() == 5);
}

TEST_CASE("TMDB reader takes columns by name and rounds runtimes") {
  const TmdbTable table = tmdb_of(
      "\xEF\xBB\xBFruntime,title,id,release_date,overview\r\n"
      "94.0,Heat,99912,1995-12-14,\"A group of \"\"pros\"\",\nled by a thief.\"\r\n"
      ",Nothing,99911,,\r\n"
      "100.6,Other,5,2001-01-02,x\r\n");
  REQUIRE(table.size() == 3);
  CHECK(table.at(99912).runtime_minutes == 94);
  CHECK(table.at(99912).release_date == "1995-12-14");
  CHECK(table.at(99912).overview == "A group of \"pros\", led by a thief.");
  CHECK(table.at(99911).runtime_minutes == 0);
  CHECK(table.at(99911).release_date.empty());
  CHECK(table.at(5).runtime_minutes == 101);
}

TEST_CASE("TMDB reader errors name file, line and problem") {
  const std::string header = "id,overview,release_date,runtime\n";
  CHECK(tmdb_error(header + "1,x,2000-01-01,90\nabc,x,,\n") ==
        "tmdb.csv:3: column 'id': expected a whole number, found 'abc'");
  CHECK(tmdb_error(header + "1,x,2000-01-01,ninety\n").find("tmdb.csv:2: column 'runtime'") == 0);
  CHECK(tmdb_error(header + "1,x,2000-01-01,-5\n").find("tmdb.csv:2: column 'runtime'") == 0);
  CHECK(tmdb_error(header + "1,x,01/02/2000,90\n").find("tmdb.csv:2: column 'release_date'") == 0);
  CHECK(tmdb_error(header + "1,x,,\n1,y,,\n") ==
        "tmdb.csv:3: TMDB id 1 appears twice (first on line 2)");
  CHECK(tmdb_error("id,overview,runtime\n1,x,90\n").find("missing column 'release_date'") !=
        std::string::npos);
  CHECK(tmdb_error(header + "1,\"x,,\n").find("tmdb.csv:2: unterminated") == 0);
  CHECK(tmdb_error("").find("empty file") != std::string::npos);
}

TEST_CASE("movie metadata joins ratings, links, tags and TMDB for every movie") {
  const RawDataset data = small_dataset();
  const TmdbTable tmdb =
      tmdb_of("id,overview,release_date,runtime\n99912,Cops and robbers.,1995-12-14,171.0\n");
  PipelineConfig config;
  config.top_tags = 2;
  config.min_tag_users = 1;  // the tags here have no users: keep every one
  const auto rows = build_movie_metadata(data, &tmdb, config);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].id == 1);
  CHECK(rows[0].year == 1994);
  CHECK(rows[0].rating_count == 3);
  CHECK(rows[0].rating_mean == Approx(4.5));
  CHECK(rows[0].imdb_id == "0999911");
  CHECK(rows[0].tags == std::vector<std::string>{"prison"});
  CHECK(rows[0].overview.empty());  // TMDB 99911 is not in the file
  CHECK(rows[1].id == 3);
  CHECK(rows[1].genres == std::vector<std::string>{"Action", "Crime", "Thriller"});
  CHECK(rows[1].rating_count == 1);
  CHECK(rows[1].tags == std::vector<std::string>{"AL PACINO", "Heist"});
  CHECK(rows[1].overview == "Cops and robbers.");
  CHECK(rows[1].runtime_minutes == 171);
  CHECK(rows[2].id == 7);
  CHECK(rows[2].year == 0);
  CHECK(rows[2].genres.empty());
  CHECK(rows[2].rating_count == 0);
  CHECK(rows[2].rating_mean == 0);

  const auto without_tmdb = build_movie_metadata(data, nullptr, config);
  CHECK(without_tmdb[1].overview.empty());
  CHECK(without_tmdb[1].runtime_minutes == 0);
}

TEST_CASE("movie_metadata.csv has the documented columns and quotes what needs it") {
  const TmdbTable tmdb = tmdb_of("id,overview,release_date,runtime\n99912,\"Cops, robbers\",,\n");
  PipelineConfig every_tag;
  every_tag.min_tag_users = 1;
  const auto rows = build_movie_metadata(small_dataset(), &tmdb, every_tag);
  std::ostringstream out;
  write_movie_metadata(out, rows);
  std::istringstream in(out.str());
  CsvReader reader(in, "movie_metadata.csv");
  reader.read_header();
  CHECK(reader.header() == std::vector<std::string>{
                               "movieId", "title", "year", "genres", "rating_count", "rating_mean",
                               "imdbId", "tmdbId", "tags", "overview", "release_date", "runtime"});
  REQUIRE(reader.next());
  CHECK(reader.field(1) == "Shawshank Redemption, The (1994)");
  CHECK(reader.field(2) == "1994");
  CHECK(reader.to_double(5) == 4.5);
  CHECK(reader.field(11) == "");
  REQUIRE(reader.next());
  CHECK(reader.field(3) == "Action|Crime|Thriller");
  CHECK(reader.field(8) == "AL PACINO|Heist|los angeles");
  CHECK(reader.field(9) == "Cops, robbers");
  REQUIRE(reader.next());
  CHECK(reader.field(2) == "");
  CHECK(reader.field(4) == "0");
  CHECK(reader.field(5) == "0");
  CHECK_FALSE(reader.next());
}

TEST_CASE("tags one person used, spoilers and swearing are not kept") {
  CHECK(is_unfit_tag("twist ending"));
  CHECK(is_unfit_tag("SPOILER: he dies"));
  CHECK(is_unfit_tag("mindfuck"));
  CHECK(is_unfit_tag("Bullshit"));
  CHECK_FALSE(is_unfit_tag("atmospheric"));
  CHECK_FALSE(is_unfit_tag("assassin"));  // "ass" is a stop word, not a stop part
  CHECK_FALSE(is_unfit_tag("Bruce Willis"));

  RawDataset data;
  data.movies = {{1, "Sixth Sense, The (1999)", "Drama"}, {2, "Die Hard (1988)", "Action"}};
  // "bruce willis": two people (one on each movie); "ghosts" and "i see dead people": one person
  // each, though "ghosts" twice; "twist ending": two people, but a spoiler.
  data.tags = {{1, "Bruce Willis", 10}, {2, "bruce willis", 11}, {1, "ghosts", 12},
               {1, "Ghosts", 12},       {1, "I see dead people", 13}, {1, "twist ending", 10},
               {1, "twist ending", 11}, {1, "atmospheric", 10},       {1, "atmospheric", 14}};
  const auto rows = build_movie_metadata(data, nullptr, PipelineConfig{});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].tags == std::vector<std::string>{"atmospheric", "Bruce Willis"});
  CHECK(rows[1].tags == std::vector<std::string>{"bruce willis"});
  PipelineConfig every;
  every.min_tag_users = 1;
  const auto all = build_movie_metadata(data, nullptr, every);
  CHECK(all[0].tags.size() == 4);  // the spoiler stays out whatever min_tag_users says
}
