#include "movierec/data/metadata.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/id_index.hpp"
#include "movierec/io/text.hpp"

namespace movierec {
namespace {

constexpr std::string_view kMetadataHeader[] = {
    "movieId", "title",  "year", "genres",   "rating_count", "rating_mean",
    "imdbId",  "tmdbId", "tags", "overview", "release_date", "runtime"};

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

bool is_date(std::string_view text) {
  return text.size() == 10 && text[4] == '-' && text[7] == '-' && all_digits(text.substr(0, 4)) &&
         all_digits(text.substr(5, 2)) && all_digits(text.substr(8, 2));
}

// Free text for a one-line display: valid UTF-8, control characters (line breaks) as spaces.
std::string one_line(std::string_view text) {
  std::string out = to_utf8(trim(text));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

// Case-folded form of a tag, used to merge spellings.
std::string tag_key(std::string_view tag) {
  std::string key(tag);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::vector<std::string> split_genres(const std::string& genres) {
  std::vector<std::string> out;
  if (genres.empty()) return out;
  for (std::string_view genre : split(genres, "|")) out.emplace_back(genre);
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "|") + part;
  return out;
}

void add_ratings(const std::vector<Rating>& ratings, const IdIndex& index,
                 std::vector<MovieInfo>& rows) {
  std::vector<double> star_sums(rows.size(), 0.0);
  for (const Rating& r : ratings) {
    const std::size_t m = index.find(r.movie);
    if (m == IdIndex::kNone) continue;
    ++rows[m].rating_count;
    star_sums[m] += r.rating;
  }
  for (std::size_t m = 0; m < rows.size(); ++m) {
    if (rows[m].rating_count > 0) {
      rows[m].rating_mean = star_sums[m] / static_cast<double>(rows[m].rating_count);
    }
  }
}

void add_links(const std::vector<Link>& links, const TmdbTable* tmdb, const IdIndex& index,
               std::vector<MovieInfo>& rows) {
  for (const Link& link : links) {
    const std::size_t m = index.find(link.movie);
    if (m == IdIndex::kNone) continue;
    rows[m].imdb_id = link.imdb_id;
    rows[m].tmdb_id = link.tmdb_id;
    const auto tmdb_id = parse_int(link.tmdb_id);
    if (tmdb == nullptr || !tmdb_id) continue;
    if (const auto found = tmdb->find(*tmdb_id); found != tmdb->end()) {
      rows[m].overview = found->second.overview;
      rows[m].release_date = found->second.release_date;
      rows[m].runtime_minutes = found->second.runtime_minutes;
    }
  }
}

// The case-folded tags that at least `min_users` people used, on any movie.
std::set<std::string> shared_tags(const std::vector<Tag>& tags, std::size_t min_users) {
  std::vector<std::pair<std::string, std::int32_t>> users;
  users.reserve(tags.size());
  for (const Tag& tag : tags) users.emplace_back(tag_key(trim(tag.text)), tag.user);
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  std::set<std::string> shared;
  for (std::size_t i = 0; i < users.size();) {
    std::size_t j = i;
    while (j < users.size() && users[j].first == users[i].first) ++j;
    if (j - i >= min_users) shared.insert(users[i].first);
    i = j;
  }
  return shared;
}

void add_tags(const std::vector<Tag>& tags, std::size_t limit, std::size_t min_users,
              const IdIndex& index, std::vector<MovieInfo>& rows) {
  const std::set<std::string> shared = shared_tags(tags, min_users);
  // Tag uses grouped by movie, in one pass over the (possibly million-row) tag list.
  std::vector<std::vector<std::string_view>> uses(rows.size());
  for (const Tag& tag : tags) {
    const std::size_t m = index.find(tag.movie);
    if (m == IdIndex::kNone || is_unfit_tag(tag.text)) continue;
    if (shared.count(tag_key(trim(tag.text))) != 0) uses[m].push_back(tag.text);
  }
  for (std::size_t m = 0; m < rows.size(); ++m) rows[m].tags = rank_tags(uses[m], limit);
}

}  // namespace

TmdbTable read_tmdb_csv(std::istream& in, const std::string& source) {
  CsvReader reader(in, source);
  reader.read_header();
  const std::size_t id_col = reader.column("id");
  const std::size_t overview_col = reader.column("overview");
  const std::size_t date_col = reader.column("release_date");
  const std::size_t runtime_col = reader.column("runtime");
  TmdbTable table;
  while (reader.next()) {
    const std::int64_t id = reader.to_int(id_col);
    TmdbMovie movie;
    movie.line = reader.line();
    movie.overview = one_line(reader.field(overview_col));
    movie.release_date = std::string(trim(reader.field(date_col)));
    if (!movie.release_date.empty() && !is_date(movie.release_date)) {
      reader.fail("column 'release_date': expected YYYY-MM-DD or nothing, found '" +
                  movie.release_date + "'");
    }
    if (!trim(reader.field(runtime_col)).empty()) {
      const double minutes = reader.to_double(runtime_col);
      if (minutes < 0 || minutes > 1e6) {
        reader.fail("column 'runtime': expected minutes from 0, found " +
                    std::string(reader.field(runtime_col)));
      }
      movie.runtime_minutes = static_cast<int>(std::lround(minutes));
    }
    const auto [at, added] = table.emplace(id, std::move(movie));
    if (!added) {
      reader.fail("TMDB id " + std::to_string(id) + " appears twice (first on line " +
                  std::to_string(at->second.line) + ")");
    }
  }
  return table;
}

TmdbTable read_tmdb_file(const std::filesystem::path& path) {
  std::ifstream in = open_input(path);
  return read_tmdb_csv(in, path.string());
}

int title_year(std::string_view title) {
  title = trim(title);
  if (title.size() < 6 || title.back() != ')') return 0;
  const std::string_view tail = title.substr(title.size() - 6);
  if (tail[0] != '(' || !all_digits(tail.substr(1, 4))) return 0;
  return std::stoi(std::string(tail.substr(1, 4)));
}

bool is_unfit_tag(std::string_view tag) {
  static const std::set<std::string, std::less<>> kStopWords = {
      "spoiler", "spoilers", "twist",  "twists", "ending", "dies", "killed", "crap",
      "crappy",  "sucks",    "sucked", "wtf",    "ass",    "dick"};
  static constexpr std::string_view kSwearParts[] = {"fuck", "shit", "cunt", "bitch", "whore"};
  const std::string key = tag_key(tag);
  for (std::string_view part : kSwearParts) {
    if (key.find(part) != std::string::npos) return true;
  }
  std::size_t start = 0;
  while (start < key.size()) {
    std::size_t end = start;
    while (end < key.size() && std::isalnum(static_cast<unsigned char>(key[end]))) ++end;
    if (end > start && kStopWords.count(std::string_view(key).substr(start, end - start)) != 0) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

std::vector<std::string> rank_tags(const std::vector<std::string_view>& uses, std::size_t limit) {
  // For each case-folded tag: its uses, and the uses of each spelling.
  struct Tally {
    std::size_t uses = 0;
    std::map<std::string, std::size_t> spellings;
  };
  std::map<std::string, Tally> tallies;
  for (std::string_view use : uses) {
    std::string text(trim(use));
    if (text.empty()) continue;
    std::replace(text.begin(), text.end(), '|', '/');
    Tally& tally = tallies[tag_key(text)];
    ++tally.uses;
    ++tally.spellings[text];
  }
  struct Ranked {
    const std::string* key;
    const Tally* tally;
  };
  std::vector<Ranked> ranked;
  for (const auto& [key, tally] : tallies) ranked.push_back({&key, &tally});
  // stable_sort keeps the map's alphabetical order among tags used equally often.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.tally->uses > b.tally->uses; });
  std::vector<std::string> top;
  for (std::size_t i = 0; i < ranked.size() && i < limit; ++i) {
    const auto& spellings = ranked[i].tally->spellings;
    // The most used spelling; max_element keeps the first (alphabetically smallest) on ties.
    const auto best =
        std::max_element(spellings.begin(), spellings.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    top.push_back(best->first);
  }
  return top;
}

std::vector<MovieInfo> build_movie_metadata(const RawDataset& data, const TmdbTable* tmdb,
                                            const PipelineConfig& config) {
  const IdIndex index(data.movies, [](const Movie& m) { return m.id; });
  std::vector<MovieInfo> rows(index.size());
  std::vector<char> listed(index.size(), 0);
  for (const Movie& movie : data.movies) {
    const std::size_t m = index.find(movie.id);
    if (listed[m]) continue;  // a repeated id keeps its first listing
    listed[m] = 1;
    rows[m].id = movie.id;
    rows[m].title = movie.title;
    rows[m].year = title_year(movie.title);
    rows[m].genres = split_genres(movie.genres);
  }
  add_ratings(data.ratings, index, rows);
  add_links(data.links, tmdb, index, rows);
  add_tags(data.tags, static_cast<std::size_t>(config.top_tags),
           static_cast<std::size_t>(config.min_tag_users), index, rows);
  return rows;
}

void write_movie_metadata(std::ostream& out, const std::vector<MovieInfo>& movies) {
  CsvWriter csv(out);
  for (std::string_view name : kMetadataHeader) csv.field(name);
  csv.end_row();
  for (const MovieInfo& m : movies) {
    csv.field(std::int64_t{m.id}).field(m.title);
    if (m.year > 0) {
      csv.field(m.year);
    } else {
      csv.field("");
    }
    csv.field(join(m.genres)).field(m.rating_count).field(m.rating_mean);
    csv.field(m.imdb_id).field(m.tmdb_id).field(join(m.tags)).field(m.overview);
    csv.field(m.release_date);
    if (m.runtime_minutes > 0) {
      csv.field(m.runtime_minutes);
    } else {
      csv.field("");
    }
    csv.end_row();
  }
  csv.flush();
}

}  // namespace movierec
