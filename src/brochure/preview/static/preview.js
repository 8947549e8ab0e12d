// The preview page: the ebook's reading view beside the printed pages, following the
// chapter being edited. The server sends its whole state at each change (server-sent
// events); this script only shows it.
"use strict";

const shown = { epub: null, file: null, pdf: null, chapter: null, page: null };
const byId = (id) => document.getElementById(id);
let toc = [];

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function showStatus(state) {
  const status = byId("status");
  const outcome = state.outcome;
  status.classList.toggle("failed", Boolean(outcome && !outcome.ok));
  if (state.building) {
    status.textContent = "building…";
  } else if (!outcome) {
    status.textContent = "waiting for the first build…";
  } else if (outcome.ok) {
    status.textContent = `built in ${outcome.seconds} s`;
  } else {
    status.textContent = "the build failed: the last good version is shown";
  }
}

function showProblems(state) {
  const outcome = state.outcome;
  const panel = byId("problems");
  const diagnostics = outcome ? outcome.diagnostics : [];
  panel.hidden = diagnostics.length === 0;
  panel.classList.toggle("warnings", Boolean(outcome && outcome.ok));
  const errors = diagnostics.filter((d) => d.level === "error").length;
  byId("problems-title").textContent = outcome && !outcome.ok
    ? `The build failed (${plural(errors, "error")}); the last good version is shown`
    : plural(diagnostics.length, "warning");
  const list = byId("problem-list");
  list.replaceChildren(...diagnostics.map((d) => {
    const item = document.createElement("li");
    const where = d.path ? `${d.path}${d.line ? ":" + d.line : ""}${d.column ? ":" + d.column : ""}: ` : "";
    item.textContent = `${where}${d.level}: ${d.message}${d.hint ? "\n  hint: " + d.hint : ""}`;
    item.className = d.level;
    return item;
  }));
}

function showChapters(state) {
  toc = state.toc || [];
  const select = byId("chapter");
  const names = toc.map((entry) => entry.name).join("\n");
  if (select.dataset.names !== names) {
    select.replaceChildren(...toc.map((entry, index) => new Option(entry.name, String(index + 1))));
    select.dataset.names = names;
  }
  select.value = String(state.chapter);
}

function showEbook(state) {
  const epub = state.epub;
  if (!epub) return;
  byId("download-epub").href = `/book/${epub.version}/book.epub`;
  if (epub.version === shown.epub && epub.file === shown.file) return;
  openEbook(epub.version, epub.file);
}

function openEbook(version, file) {
  const frame = byId("reading");
  const sameFile = file === shown.file;
  let scroll = 0;
  try {
    scroll = sameFile ? frame.contentWindow.scrollY : 0;
  } catch (error) {
    scroll = 0;
  }
  frame.onload = () => {
    if (sameFile) frame.contentWindow.scrollTo(0, scroll);
    frame.dataset.version = String(version);
  };
  frame.src = `/book/${version}/epub/${file}`;
  shown.epub = version;
  shown.file = file;
}

function showPages(state) {
  const pdf = state.pdf;
  if (!pdf) return;
  byId("download-pdf").href = `/book/${pdf.version}/book.pdf`;
  byId("page-count").textContent = plural(pdf.pages, "page");
  const box = byId("pages");
  if (pdf.version !== shown.pdf) {
    const images = Array.from(box.querySelectorAll("img"));
    for (let number = 1; number <= pdf.pages; number += 1) {
      let image = images[number - 1];
      if (!image) {
        image = document.createElement("img");
        box.appendChild(image);
      }
      image.width = Math.round(pdf.size[0] * 1.5);
      image.height = Math.round(pdf.size[1] * 1.5);
      image.alt = `page ${number}`;
      image.dataset.page = String(number);
      image.loading = Math.abs(number - pdf.page) < 3 ? "eager" : "lazy";
      image.src = `/book/${pdf.version}/pdf/${number}.png`;
    }
    images.slice(pdf.pages).forEach((image) => image.remove());
    box.dataset.version = String(pdf.version);
    shown.pdf = pdf.version;
  }
  if (state.chapter !== shown.chapter || pdf.page !== shown.page) {
    turnTo(pdf.page);
  }
  shown.chapter = state.chapter;
}

function turnTo(page) {
  const box = byId("pages");
  box.querySelectorAll("img.current").forEach((image) => image.classList.remove("current"));
  const image = box.querySelector(`img[data-page="${page}"]`);
  if (image) {
    image.classList.add("current");
    box.scrollTop = image.offsetTop - box.offsetTop;
  }
  shown.page = page;
}

function show(state) {
  showStatus(state);
  showProblems(state);
  showChapters(state);
  showEbook(state);
  showPages(state);
}

byId("chapter").addEventListener("change", (event) => {
  const entry = toc[Number(event.target.value) - 1];
  if (!entry) return;
  if (entry.file && shown.epub !== null) openEbook(shown.epub, entry.file);
  if (entry.page) turnTo(entry.page);
});

const events = new EventSource("/events");
events.addEventListener("state", (event) => show(JSON.parse(event.data)));
events.onerror = () => {
  byId("status").textContent = "not connected: is brochure serve running?";
};
