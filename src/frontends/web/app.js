// movierec's page: pick four favourites with type-ahead search, then answer one recommendation
// at a time (buttons or y / n / s / i). It talks to the JSON API of the same server only; text
// from the server is always set as text, never as HTML.
"use strict";

(() => {
  const FAVOURITES = 4;
  const SEARCH_DELAY_MS = 120;
  const $ = (id) => document.getElementById(id);
  const el = {
    error: $("error"), status: $("status"),
    pick: $("pick"), pickTitle: $("pick-title"), search: $("search"), results: $("results"), favourites: $("favourites"),
    count: $("count"),
    recommend: $("recommend"), number: $("rec-number"), title: $("rec-title"), meta: $("rec-meta"),
    because: $("rec-because"), info: $("info"), panel: $("info-panel"), exhausted: $("exhausted"),
    liked: $("liked"), likedEmpty: $("liked-empty"), restart: $("restart"),
    answers: ["like", "dislike", "skip", "info"].map($),
    profile: $("profile"), profileName: $("profile-name"), resume: $("resume"),
  };

  const state = {
    favourites: [],    // {movie_id, title}
    options: [],       // the search results shown
    active: -1,        // the highlighted result
    searchSeq: 0,      // answers to older searches are dropped
    searchTimer: 0,
    session: null,     // session id
    rec: null,         // the recommendation waiting for an answer
    explained: null,   // the /explain answer for rec, once fetched
    busy: false,
  };

  function make(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function announce(text) { el.status.textContent = text; }

  function showError(text) {
    el.error.textContent = text;
    el.error.hidden = !text;
  }

  // The API's JSON, or an Error whose message is the API's own sentence.
  async function api(method, path, body) {
    const options = { method, headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (e) {
      throw new Error("The server cannot be reached. Is serve still running?");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      // The server's sentences are written for programs; these two are for people.
      const text = response.status === 503 && String(data.error).includes("profile store")
        ? "Your answer could not be saved just now (the profile store is unreachable). Please answer again in a moment."
        : response.status === 503
        ? "The server holds as many sessions as it can right now. Please try again in a minute."
        : response.status === 404 && path.startsWith("/api/sessions/")
          ? "This session has ended (it was unused for a while, or the server restarted). " +
            "Start over to begin again."
          : data.error || `The server answered ${response.status}.`;
      const error = new Error(text);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // ---- Favourites ---------------------------------------------------------------------------

  // The genres: the display title already ends with the year.
  function describe(movie) {
    return movie.genres && movie.genres.length ? movie.genres.join(", ") : "";
  }

  function chosen(id) { return state.favourites.some((f) => f.movie_id === id); }

  function pickable(movie) { return movie.in_catalog && !chosen(movie.movie_id); }

  function closeResults() {
    el.results.hidden = true;
    el.results.replaceChildren();
    el.search.setAttribute("aria-expanded", "false");
    el.search.removeAttribute("aria-activedescendant");
    state.options = [];
    state.active = -1;
  }

  function setActive(index) {
    state.active = index;
    [...el.results.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      const li = el.results.children[index];
      el.search.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    } else {
      el.search.removeAttribute("aria-activedescendant");
    }
  }

  function renderResults(query, results) {
    el.results.replaceChildren();
    state.options = results;
    state.active = -1;
    if (!results.length) {
      const none = make("li", `Nothing matches “${query}”.`, "empty");
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      el.results.append(none);
    }
    results.forEach((movie, i) => {
      const li = make("li");
      li.id = `result-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.test = "result";
      li.append(make("span", movie.title, "name"));
      let sub = movie.note || describe(movie);  // a namesake's note says what tells them apart
      if (!movie.in_catalog) {
        li.setAttribute("aria-disabled", "true");
        sub = `Not in the catalog (${movie.reason || "too few ratings"})` + (sub ? ` · ${sub}` : "");
      } else if (chosen(movie.movie_id)) {
        li.setAttribute("aria-disabled", "true");
        sub = "Already chosen" + (sub ? ` · ${sub}` : "");
      } else if (movie.evidence && movie.evidence !== "trained") {
        // Outside the trained catalog: a favourite all the same, placed from little evidence.
        const few = movie.evidence === "folded" ? `${movie.evidence_ratings} ratings` : "no ratings";
        sub = `Rarely rated (${few})` + (sub ? ` · ${sub}` : "");
      }
      if (sub) li.append(make("span", sub, "sub"));
      // mousedown, not click: the input keeps the focus.
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(movie);
      });
      el.results.append(li);
    });
    el.results.hidden = false;
    el.search.setAttribute("aria-expanded", "true");
    const first = results.findIndex(pickable);
    if (first >= 0) setActive(first);
    announce(results.length ? `${results.length} movies match.` : "Nothing matches.");
  }

  async function search() {
    const query = el.search.value.trim();
    const seq = ++state.searchSeq;
    if (!query) {
      closeResults();
      return;
    }
    try {
      const data = await api("GET", `/api/movies/search?q=${encodeURIComponent(query)}&limit=8`);
      if (seq !== state.searchSeq || state.session) return;
      showError("");
      renderResults(query, data.results);
    } catch (e) {
      if (seq === state.searchSeq) showError(e.message);
    }
  }

  function choose(movie) {
    if (!movie.in_catalog) {
      announce(`${movie.title} is not in the catalog and cannot be a favourite.`);
      return;
    }
    if (chosen(movie.movie_id) || state.favourites.length >= FAVOURITES) return;
    state.favourites.push({ movie_id: movie.movie_id, title: movie.title });
    el.search.value = "";
    state.searchSeq++;
    closeResults();
    renderFavourites();
    announce(`${movie.title} added, ${state.favourites.length} of ${FAVOURITES}.`);
    if (state.favourites.length === FAVOURITES) startSession();
  }

  function renderFavourites() {
    el.favourites.replaceChildren();
    state.favourites.forEach((movie) => {
      const li = make("li");
      li.dataset.test = "favourite";
      li.append(make("span", movie.title));
      if (!state.session) {
        const remove = make("button", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", `Remove ${movie.title}`);
        remove.addEventListener("click", () => {
          state.favourites = state.favourites.filter((f) => f.movie_id !== movie.movie_id);
          renderFavourites();
          announce(`${movie.title} removed.`);
          el.search.focus();
        });
        li.append(remove);
      }
      el.favourites.append(li);
    });
    el.count.textContent = `${state.favourites.length} of ${FAVOURITES} chosen`;
    el.count.hidden = Boolean(state.session);
    el.pickTitle.textContent = state.session ? "Your four favourites" : "Four movies you love";
  }

  function onSearchKey(event) {
    const count = state.options.length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      setActive((state.active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      setActive(state.active <= 0 ? count - 1 : state.active - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const movie = state.options[state.active] || state.options.find(pickable);
      if (movie) choose(movie);
      else search();
    } else if (event.key === "Escape") {
      closeResults();
    }
  }

  // ---- Recommendations ----------------------------------------------------------------------

  function setBusy(busy) {
    state.busy = busy;
    el.answers.forEach((button) => { button.disabled = busy || !state.rec; });
    el.recommend.querySelector(".card").classList.toggle("busy", busy);
  }

  async function startSession() {
    el.search.disabled = true;
    try {
      const body = { favourites: state.favourites.map((f) => f.movie_id) };
      const name = el.profileName.value.trim();
      if (name) body.profile = name;
      const data = await api("POST", "/api/sessions", body);
      state.session = data.session_id;
      el.profile.hidden = true;
      renderFavourites();
      el.pick.querySelector(".combo").hidden = true;
      el.pick.querySelector(".hint").hidden = true;
      el.recommend.hidden = false;
      showError("");
      showRecommendation(data.recommendation);
      el.answers[0].focus();
    } catch (e) {
      showError(e.message);
      el.search.disabled = false;
      // A refused favourite (outside the catalog) is removed so another can be chosen.
      if (e.status === 400 && e.message.startsWith("favourites")) {
        state.favourites.pop();
        renderFavourites();
      }
      el.search.focus();
    }
  }

  // A kept profile: its favourites and the first recommendation, without picking anything.
  async function resumeProfile() {
    const name = el.profileName.value.trim();
    if (!name) {
      showError("Type your name first, then Resume.");
      el.profileName.focus();
      return;
    }
    try {
      const data = await api("POST", "/api/sessions", { profile: name });
      state.session = data.session_id;
      state.favourites = data.favourites.map((f) => ({ movie_id: f.movie_id, title: f.title }));
      renderFavourites();
      el.profile.hidden = true;
      el.pick.querySelector(".combo").hidden = true;
      el.pick.querySelector(".hint").hidden = true;
      el.recommend.hidden = false;
      showError("");
      announce(`Welcome back, ${name}: ${data.profile.answers} answers restored.`);
      showRecommendation(data.recommendation);
      el.answers[0].focus();
    } catch (e) {
      showError(e.status === 404
        ? `No profile is named ${name} yet: pick four favourites to start it.`
        : e.message);
    }
  }

  function showRecommendation(rec) {
    state.rec = rec;
    state.explained = null;
    closeInfo();
    closeSimilar();
    if (!rec) {
      el.recommend.querySelector(".card").hidden = true;
      el.exhausted.hidden = false;
      announce("No more recommendations.");
      setBusy(false);
      el.restart.focus();
      return;
    }
    el.number.textContent = `#${rec.number}`;
    el.title.textContent = rec.title;
    el.meta.textContent = describe(rec);
    const near = rec.because && rec.because[0];
    el.because.textContent = near
      ? `Because you ${near.favourite ? "love" : "liked"} ${near.title}`
      : "";
    setBusy(false);
    announce(`Recommendation ${rec.number}: ${rec.title}. ${el.because.textContent}`);
  }

  async function answer(kind) {
    if (state.busy || !state.rec) return;
    const rec = state.rec;
    setBusy(true);
    try {
      const data = await api("POST", `/api/sessions/${state.session}/answers`, {
        movie_id: rec.movie_id, answer: kind,
      });
      if (kind === "like") addLiked(rec);
      showError("");
      showRecommendation(data.recommendation);
    } catch (e) {
      showError(e.message);
      setBusy(false);
    }
  }

  function addLiked(rec) {
    const li = make("li", rec.title);
    li.dataset.test = "liked-item";
    el.liked.append(li);
    el.likedEmpty.hidden = true;
  }

  function closeInfo() {
    el.panel.hidden = true;
    el.panel.replaceChildren();
    el.info.setAttribute("aria-expanded", "false");
  }

  function number(x, digits = 2) { return Number(x).toFixed(digits); }

  function renderInfo(info) {
    const panel = el.panel;
    panel.replaceChildren();
    if (info.overview) panel.append(make("p", info.overview));
    const facts = make("dl");
    const fact = (name, value) => {
      if (value === null || value === undefined || value === "") return;
      facts.append(make("dt", name), make("dd", String(value)));
    };
    if (info.rating_count) fact("Rated", `${number(info.rating_mean)} of 5 by ${info.rating_count} people`);
    fact("Released", info.release_date);
    if (info.runtime_minutes) fact("Runtime", `${info.runtime_minutes} min`);
    if (info.tags && info.tags.length) fact("Tags", info.tags.join(", "));
    panel.append(facts);

    panel.append(make("h3", "Why this one"));
    const why = make("dl");
    const parts = info.parts || {};
    const part = (name, value) => {
      if (!value) return;
      why.append(make("dt", name), make("dd", (value > 0 ? "+" : "") + number(value, 3)));
    };
    part("Your taste (model)", parts.model);
    part("Genre distance", parts.genre_distance);
    part("Popularity", parts.popularity);
    part("Diversity", parts.diversity);
    part("Exploration", parts.exploration);
    why.append(make("dt", "Score"), make("dd", number(info.score, 3)));
    panel.append(why);
    if (info.nearest && info.nearest.length) {
      const names = info.nearest.map((n) =>
        `${n.title} (${n.favourite ? "favourite" : "liked"}, similarity ${number(n.similarity)})`);
      panel.append(make("p", `Closest of yours: ${names.join("; ")}.`));
    }
    const links = make("p", undefined, "links");
    for (const [name, url] of [["IMDb", info.imdb_url], ["TMDB", info.tmdb_url]]) {
      if (typeof url === "string" && url.startsWith("https://")) {
        const a = make("a", name);
        a.href = url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        links.append(a);
      }
    }
    if (links.childElementCount) panel.append(links);
  }

  async function toggleInfo() {
    if (!state.rec) return;
    if (!el.panel.hidden) {
      closeInfo();
      return;
    }
    try {
      if (!state.explained) {
        const rec = state.rec;
        const info = await api("GET", `/api/sessions/${state.session}/explain`);
        if (rec !== state.rec) return;
        state.explained = info;
      }
      renderInfo(state.explained);
      el.panel.hidden = false;
      el.info.setAttribute("aria-expanded", "true");
      announce(`More about ${state.rec.title}.`);
    } catch (e) {
      showError(e.message);
    }
  }

  // ---- More like this -----------------------------------------------------------------------

  const similar = {
    button: $("similar"), panel: $("similar-panel"), title: $("similar-title"), list: $("similar-list"),
  };

  function closeSimilar() {
    similar.panel.hidden = true;
    similar.list.replaceChildren();
    similar.button.setAttribute("aria-expanded", "false");
  }

  async function toggleSimilar() {
    if (!state.rec) return;
    if (!similar.panel.hidden) {
      closeSimilar();
      return;
    }
    const rec = state.rec;
    try {
      const data = await api("GET", `/api/movies/${rec.movie_id}/similar?n=10`);
      if (rec !== state.rec) return;
      similar.title.textContent = `More like ${data.title}`;
      similar.list.replaceChildren();
      data.similar.forEach((movie) => {
        const li = make("li");
        li.dataset.test = "similar-item";
        li.append(make("span", movie.title, "name"));
        const sub = describe(movie);
        if (sub) li.append(make("span", ` · ${sub}`, "sub"));
        similar.list.append(li);
      });
      similar.panel.hidden = false;
      similar.button.setAttribute("aria-expanded", "true");
      announce(`${data.similar.length} movies like ${rec.title}.`);
    } catch (e) {
      showError(e.message);
    }
  }

  async function restart() {
    const session = state.session;
    state.session = null;
    state.rec = null;
    state.favourites = [];
    if (session) api("DELETE", `/api/sessions/${session}`).catch(() => {});
    el.liked.replaceChildren();
    el.likedEmpty.hidden = false;
    el.exhausted.hidden = true;
    el.recommend.querySelector(".card").hidden = false;
    el.recommend.hidden = true;
    el.pick.querySelector(".combo").hidden = false;
    el.pick.querySelector(".hint").hidden = false;
    el.search.disabled = false;
    el.search.value = "";
    el.profile.hidden = false;
    closeInfo();
    closeResults();
    renderFavourites();
    showError("");
    announce("Started over. Name four movies you love.");
    el.search.focus();
  }

  // ---- Wiring -------------------------------------------------------------------------------

  el.search.addEventListener("input", () => {
    clearTimeout(state.searchTimer);
    state.searchTimer = setTimeout(search, SEARCH_DELAY_MS);
  });
  el.search.addEventListener("keydown", onSearchKey);
  el.search.addEventListener("blur", () => setTimeout(closeResults, 150));
  el.answers[0].addEventListener("click", () => answer("like"));
  el.answers[1].addEventListener("click", () => answer("dislike"));
  el.answers[2].addEventListener("click", () => answer("skip"));
  el.answers[3].addEventListener("click", toggleInfo);
  el.restart.addEventListener("click", restart);
  el.resume.addEventListener("click", resumeProfile);
  el.profileName.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      resumeProfile();
    }
  });
  similar.button.addEventListener("click", toggleSimilar);

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || el.recommend.hidden) return;
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    const action = { y: () => answer("like"), n: () => answer("dislike"),
                     s: () => answer("skip"), i: toggleInfo, m: toggleSimilar }[event.key.toLowerCase()];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  renderFavourites();
})();
