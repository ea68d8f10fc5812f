// The argmap query console: SPARQL in the browser on the site's own data (Oxigraph compiled to WebAssembly).
// Everything this page loads comes from the site itself; no request leaves its origin.
// Untrusted text (query results, labels) is only ever set with textContent, never as HTML.
import init, { Store } from "./vendor/oxigraph/web.js";

const config = JSON.parse(document.getElementById("console-config").textContent);
const byName = new Map(config.queries.map((q) => [q.name, q]));
const select = document.getElementById("named-query");
const question = document.getElementById("question");
const runButton = document.getElementById("run");
const share = document.getElementById("share");
const csvLink = document.getElementById("download-csv");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");
const textarea = document.getElementById("query-text");

let store = null;
let csvUrl = null;

// ---- the editor: YASQE when it loaded, else the plain textarea --------------------------------------------
let editor;
if (window.Yasqe) {
  const host = document.getElementById("editor");
  const initial = textarea.value;
  textarea.remove();
  // Yasqe merges its defaults into the config element by element, so a shorter list would not remove the
  // prefix.cc and LOV autocompleters: empty the default list itself.
  window.Yasqe.defaults.autocompleters = [];
  window.Yasqe.defaults.persistenceId = null;
  window.Yasqe.defaults.prefixCcApi = null;
  const yasqe = new window.Yasqe(host, {
    value: initial,
    persistenceId: null, // no localStorage
    autocompleters: ["variables"], // the prefix and LOV autocompleters call outside services
    prefixCcApi: null,
    showQueryButton: false,
    requestConfig: { endpoint: "" },
    createShareableLink: () => shareUrl(yasqe.getValue()),
    consumeShareLink: null,
    createShortLink: undefined,
    resizeable: true,
    editorHeight: "320px",
    viewportMargin: Infinity,
  });
  yasqe.query = () => { run(); return Promise.resolve(); }; // Ctrl+Enter runs here, not against an endpoint
  yasqe.on("change", () => { updateShare(); });
  yasqe.getInputField().setAttribute("aria-label", "SPARQL query");
  editor = { get: () => yasqe.getValue(), set: (text) => yasqe.setValue(text) };
} else {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
  });
  textarea.addEventListener("input", () => updateShare());
  editor = { get: () => textarea.value, set: (text) => { textarea.value = text; } };
}

// ---- prefixes, query kind, shortening ---------------------------------------------------------------------
const PREFIX_DECL = /^\s*PREFIX\s+([\w.-]*):/gim;

function withPrefixes(text) {
  const declared = new Set(Array.from(text.matchAll(PREFIX_DECL), (m) => m[1]));
  const missing = Object.entries(config.prefixes)
    .filter(([p]) => !declared.has(p))
    .map(([p, ns]) => `PREFIX ${p}: <${ns}>`);
  return missing.length ? `${missing.join(" ")}\n${text}` : text;
}

function kindOf(text) {
  const body = text
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ")
    .replace(/<[^>\s]*>/g, " ")
    .replace(/#[^\n]*/g, " ");
  // a keyword, not part of a variable (?load) or a prefixed name (copy:x, ex:add)
  const match = body.match(/(?<![\w:?$-])(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])/i);
  if (!match) return null;
  const word = match[1].toUpperCase();
  if (word === "SELECT") return "select";
  if (word === "ASK") return "ask";
  if (word === "CONSTRUCT" || word === "DESCRIBE") return "graph";
  return "update";
}

const prefixList = Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length);

function shorten(iri) {
  for (const [prefix, ns] of prefixList) {
    if (iri.startsWith(ns)) {
      const local = iri.slice(ns.length);
      if (local && !/[/#]/.test(local)) return `${prefix}:${local}`;
    }
  }
  return `<${iri}>`;
}

// A node of this graph links to its own page on this site (relative, so any base path works).
function pageOf(iri) {
  if (!iri.startsWith(config.base)) return null;
  const path = iri.slice(config.base.length);
  if (!/^[A-Za-z0-9][A-Za-z0-9._~\/-]*$/.test(path) || path.includes("..")) return null;
  return `../${path.replace(/\/$/, "")}/`;
}

// ---- rendering --------------------------------------------------------------------------------------------
function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const page = pageOf(term.value);
    const label = shorten(term.value);
    if (page) {
      const a = document.createElement("a");
      a.href = page;
      a.textContent = label;
      a.title = term.value;
      td.append(a);
    } else {
      td.textContent = label;
      td.title = term.value;
    }
    td.className = "iri";
  } else if (term.type === "bnode") {
    td.textContent = `_:${term.value}`;
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) td.lang = term["xml:lang"];
    if (term.datatype) td.title = shorten(term.datatype).replace(/^<|>$/g, "");
    td.className = "literal";
  }
  return td;
}

function showTable(json) {
  const vars = json.head.vars || [];
  const rows = json.results.bindings || [];
  const table = document.createElement("table");
  const caption = document.createElement("caption");
  caption.textContent = `${rows.length} row${rows.length === 1 ? "" : "s"}`;
  table.append(caption);
  const head = table.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = v;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const v of vars) tr.append(cell(row[v]));
  }
  results.replaceChildren(table);
  return rows.length;
}

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
  statusLine.setAttribute("role", isError ? "alert" : "status");
}

function setCsv(text) {
  if (csvUrl) URL.revokeObjectURL(csvUrl);
  csvUrl = null;
  csvLink.hidden = text === null;
  if (text !== null) {
    csvUrl = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    csvLink.href = csvUrl;
  }
}

// ---- running ----------------------------------------------------------------------------------------------
function run() {
  if (!store) return;
  const text = editor.get();
  const kind = kindOf(text);
  setCsv(null);
  results.replaceChildren();
  if (kind === "update") {
    setStatus("This console is read-only: updates (INSERT, DELETE, LOAD, …) are not run.", true);
    return;
  }
  const full = withPrefixes(text);
  const started = performance.now();
  try {
    if (kind === "graph") {
      const turtle = store.query(full, { results_format: "text/turtle" });
      const pre = document.createElement("pre");
      pre.className = "graph";
      pre.textContent = turtle;
      results.replaceChildren(pre);
      setStatus(`Graph result in ${Math.round(performance.now() - started)} ms (Turtle).`);
    } else {
      const json = JSON.parse(store.query(full, { results_format: "application/sparql-results+json" }));
      const ms = Math.round(performance.now() - started);
      if (typeof json.boolean === "boolean") {
        const p = document.createElement("p");
        p.className = "boolean";
        p.textContent = json.boolean ? "true" : "false";
        results.replaceChildren(p);
        setStatus(`ASK answered in ${ms} ms.`);
      } else {
        const n = showTable(json);
        setStatus(`${n} row${n === 1 ? "" : "s"} in ${ms} ms.`);
        setCsv(store.query(full, { results_format: "text/csv" }));
      }
    }
  } catch (error) {
    setStatus(`The query failed: ${error && error.message ? error.message : error}`, true);
  }
}

// ---- named queries and shareable links --------------------------------------------------------------------
function shareUrl(text) {
  const named = select.value && byName.get(select.value);
  const hash = named && named.text === text
    ? `#name=${encodeURIComponent(named.name)}`
    : `#query=${encodeURIComponent(text)}`;
  return `${location.origin}${location.pathname}${location.search}${hash}`;
}

function updateShare() {
  const text = editor.get();
  const named = select.value && byName.get(select.value);
  if (named && named.text !== text) {
    select.value = "";
    question.textContent = "";
  }
  share.href = shareUrl(text).slice(location.origin.length);
}

function choose(name) {
  const q = byName.get(name);
  select.value = q ? q.name : "";
  question.textContent = q ? q.question : "";
  if (q) editor.set(q.text);
  updateShare();
}

select.addEventListener("change", () => { choose(select.value); if (select.value) run(); });
runButton.addEventListener("click", () => run());
share.addEventListener("click", (event) => {
  event.preventDefault();
  history.replaceState(null, "", share.getAttribute("href"));
  if (navigator.clipboard) navigator.clipboard.writeText(location.href).catch(() => {});
  setStatus("The address bar now links to this query.");
});

function fromLocation() {
  const params = new URLSearchParams(location.hash.slice(1) || location.search.slice(1));
  if (params.has("name") && byName.has(params.get("name"))) {
    choose(params.get("name"));
    return true;
  }
  if (params.has("query")) {
    select.value = "";
    question.textContent = "";
    editor.set(params.get("query"));
    updateShare();
    return true;
  }
  return false;
}

window.addEventListener("hashchange", () => { if (fromLocation()) run(); });

// ---- start: load the engine and the data ------------------------------------------------------------------
async function start() {
  const fromLink = fromLocation();
  if (!fromLink && config.queries.length) choose(config.firstQuery || config.queries[0].name);
  try {
    await init();
    const response = await fetch(config.dataUrl);
    if (!response.ok) throw new Error(`${config.dataUrl}: HTTP ${response.status}`);
    const data = await response.text();
    const started = performance.now();
    store = new Store();
    store.load(data, { format: config.dataFormat });
    setStatus(`The graph is loaded (${store.size} triples in ${Math.round(performance.now() - started)} ms). Run a query.`);
    runButton.disabled = false;
    document.body.dataset.ready = "true";
    if (fromLink) run();
  } catch (error) {
    const why = location.protocol === "file:"
      ? "the console must be served over http (for example with `argmap serve`), not opened as a file"
      : (error && error.message) || String(error);
    setStatus(`The console could not start: ${why}`, true);
    document.body.dataset.ready = "failed";
  }
}

start();
